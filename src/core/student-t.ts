// Student's t distribution's two-sided tail, P(|T| > |t|) with `df` degrees of freedom, for
// --streaming-test: the regularized incomplete beta function I_{df/(df+t²)}(df/2, 1/2), by its
// continued fraction (modified Lentz), as commons-math, which Spark's StreamingTest uses, computes it.

/** ln Γ(x) for x > 0: Lanczos' approximation (g = 7, nine terms), relative error below 1e-15. */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const c = [0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406, 12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7];
  x -= 1;
  let sum = c[0]!;
  for (let i = 1; i < c.length; i++) sum += c[i]! / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
}

const EPSILON = 1e-15;
const TINY = 1e-300;

/** The continued fraction of I_x(a, b), converging fast for x < (a + 1) / (a + b + 2). */
function betaFraction(x: number, a: number, b: number): number {
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < TINY ? TINY : d);
  let f = d;
  for (let m = 1; m <= 10_000; m++) {
    for (const step of [(m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)), (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))]) {
      d = 1 + step * d;
      d = 1 / (Math.abs(d) < TINY ? TINY : d);
      c = 1 + step / c;
      if (Math.abs(c) < TINY) c = TINY;
      f *= c * d;
    }
    if (Math.abs(c * d - 1) < EPSILON) break;
  }
  return f;
}

/** I_x(a, b), the regularized incomplete beta function, for 0 ≤ x ≤ 1 and a, b > 0. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  if (x > (a + 1) / (a + b + 2)) return 1 - regularizedBeta(1 - x, b, a);
  const front = Math.exp(a * Math.log(x) + b * Math.log1p(-x) + logGamma(a + b) - logGamma(a) - logGamma(b)) / a;
  return front * betaFraction(x, a, b);
}

/** P(|T| ≥ |t|) for T of Student's t distribution with `df` degrees of freedom (df > 0, not necessarily whole). */
export function twoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || Number.isNaN(df)) return Number.NaN;
  return regularizedBeta(df / (df + t * t), df / 2, 0.5);
}
