// --adaptive-rate: a PID controller in the manner of Spark Streaming's rate estimator. After each
// batch it compares the rate the sources were allowed with the rate the pipeline processed at, and
// steers the allowed rate so that processing a batch takes about one batch interval.

export interface RateGains {
  proportional: number;
  integral: number;
  derivative: number;
  /** Never steer below this many records a second, so a stalled pipeline can still recover. */
  minRate: number;
}

/** Spark's defaults. */
export const DEFAULT_GAINS: RateGains = { proportional: 1, integral: 0.2, derivative: 0, minRate: 100 };

export class RateEstimator {
  private readonly batchMs: number;
  private readonly gains: RateGains;
  private latestTime = -1;
  private latestRate = -1;
  private latestError = -1;

  constructor(batchMs: number, gains: RateGains = DEFAULT_GAINS) {
    this.batchMs = batchMs;
    this.gains = gains;
  }

  /**
   * The new rate in records a second after batch `time`, which had `records` records, took
   * `processingMs` to process and started `delayMs` late; undefined when there is nothing to
   * learn from (an empty batch) or on the first batch, which only sets the starting point.
   */
  next(time: number, records: number, processingMs: number, delayMs: number): number | undefined {
    if (time <= this.latestTime || records <= 0 || processingMs <= 0) return undefined;
    const sinceLast = (time - this.latestTime) / 1000;
    const processingRate = (records / processingMs) * 1000;
    // how far the allowed rate is above what was processed, now ...
    const error = this.latestRate - processingRate;
    // ... and in the past, as the work queued up behind (scheduling delay) measured in records
    const pastError = (delayMs * processingRate) / this.batchMs;
    const change = (error - this.latestError) / sinceLast;
    this.latestTime = time;
    if (this.latestRate < 0) {
      this.latestRate = processingRate;
      this.latestError = 0;
      return undefined;
    }
    const { proportional, integral, derivative, minRate } = this.gains;
    const rate = Math.max(this.latestRate - proportional * error - integral * pastError - derivative * change, minRate);
    this.latestRate = rate;
    this.latestError = error;
    return rate;
  }
}
