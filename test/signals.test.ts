// Signals and exit paths end to end, through bin/sluice with real signals: every stop signal stops
// gracefully, a second one of any kind exits at once, and a closed stderr never stops the data.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordsTo, shellStatus, sluice, start, tempDir } from './support/cli.ts';
import { eventually, linesOf } from './support/eventually.ts';

/** sluice stuck finishing a batch on a full stdout (nobody reads it), after a first `signal`. */
async function stuckAfter(signal: NodeJS.Signals) {
  const marks = join(tempDir(), 'seen');
  const run = start(['-v', '-b', '1h', '--shutdown-timeout', '1h', '--filter', recordsTo(marks), '--map', 'x.repeat(100)']);
  run.child.stdout!.pause();
  run.child.stdin!.on('error', () => {});
  run.child.stdin!.write('line\n'.repeat(20_000));
  let stderr = '';
  run.child.stderr!.on('data', (d: string) => (stderr += d));
  await eventually(() => linesOf(marks).length === 20_000, 'the lines to be read');
  // -b 1h: the batch closes only on the signal; -v says when the signal has been taken
  run.child.kill(signal);
  await eventually(() => stderr.includes(`${signal}: finishing the batch in flight`), 'the first signal to be taken');
  return run;
}

describe('signals', () => {
  it('SIGHUP stops like SIGTERM: the batch in flight is finished and written, exit 0', async () => {
    const marks = join(tempDir(), 'seen');
    const { child, done } = start(['-b', '1h', '--filter', recordsTo(marks), '--map', 'x.toUpperCase()']);
    child.stdin!.write('one\ntwo\n');
    await eventually(() => linesOf(marks).length === 2, 'both lines to be read');
    child.kill('SIGHUP');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('ONE\nTWO\n');
  });

  for (const [first, second, status] of [
    ['SIGTERM', 'SIGINT', 130],
    ['SIGINT', 'SIGTERM', 143],
    ['SIGTERM', 'SIGHUP', 129],
    ['SIGHUP', 'SIGHUP', 129],
  ] as const) {
    it(`${first} then ${second} exits at once with ${status}, whatever the shutdown timeout`, async () => {
      const { child, done } = await stuckAfter(first);
      child.kill(second);
      expect(shellStatus(await done)).toBe(status);
    });
  }

  it('a closed stderr with -v never stops the data', async () => {
    const marks = join(tempDir(), 'seen');
    const { child, done } = start(['-v', '-b', '50ms', '--filter', recordsTo(marks)]);
    let out = '';
    child.stdout!.on('data', (d: string) => (out += d));
    child.stderr!.destroy(); // sluice's next stats line meets EPIPE
    for (let i = 1; i <= 6; i++) {
      child.stdin!.write(`${i}\n`);
      // each line in a batch of its own: six batches, six stats lines into the closed pipe
      await eventually(() => out.split('\n').length > i, `line ${i} to come out`);
    }
    child.stdin!.end();
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('1\n2\n3\n4\n5\n6\n');
    expect(readFileSync(marks, 'utf8')).toBe('1\n2\n3\n4\n5\n6\n');
  });
});

describe('failures that retrying cannot mend end the run at once', () => {
  // .invalid never resolves (RFC 6761); 6000 is one of the ports fetch refuses
  for (const [args, message] of [
    [['-o', 'http://nosuchhost.invalid/in'], "host 'nosuchhost.invalid' not found: the name does not resolve"],
    [['-o', 'http://127.0.0.1:6000/in'], 'fetch refuses to connect to this port'],
    [['-o', 'tcp://nosuchhost.invalid:9000'], "cannot connect: host 'nosuchhost.invalid' not found"],
    [['-i', 'tcp://nosuchhost.invalid:9000'], "cannot connect: host 'nosuchhost.invalid' not found"],
    [['-o', 'kafka://nosuchhost.invalid:9092/t'], "host 'nosuchhost.invalid' not found"],
    [['-i', 'kafka://nosuchhost.invalid:9092/t'], "host 'nosuchhost.invalid' not found"],
  ] as const) {
    it(`${args.join(' ')}: ${message}`, async () => {
      const r = await sluice([...args], 'a\n');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toContain('retrying');
    });
  }
});

describe('an expression that runs away after the first signal', () => {
  /** sluice holding a line in an hour-long batch whose --transform, run as the batch closes, never returns. */
  async function runaway(timeout: string) {
    const marks = join(tempDir(), 'seen');
    const run = start(['-v', '-b', '1h', '--shutdown-timeout', timeout, '--filter', recordsTo(marks), '--transform', '(xs) => { for (;;); }']);
    let stderr = '';
    run.child.stderr!.on('data', (d: string) => (stderr += d));
    run.child.stdin!.write('one\n');
    await eventually(() => linesOf(marks).length === 1, 'the line to be read');
    return { ...run, stderr: () => stderr };
  }

  it('cannot hold the process past --shutdown-timeout', async () => {
    const { child, done } = await runaway('300ms');
    child.kill('SIGTERM'); // the batch closes: its transform never returns
    const r = await done;
    expect(shellStatus(r)).toBe(143);
    expect(r.stderr).toContain('sluice: SIGTERM: finishing the batch in flight (at most 300ms); a second signal exits at once\n');
    expect(r.stderr).toContain('sluice: error: the batch in flight did not finish within --shutdown-timeout 300ms; exiting\n');
  });

  it('cannot keep a second signal from ending the process at once', async () => {
    const { child, done, stderr } = await runaway('1h');
    child.kill('SIGTERM');
    await eventually(() => stderr().includes('SIGTERM: finishing the batch in flight'), 'the first signal to be taken');
    child.kill('SIGINT');
    expect(shellStatus(await done)).toBe(130);
  });
});

describe('an expression that runs away before any signal', () => {
  const HELD = 'a stop signal ends sluice at once';

  it('is ended at once by a stop signal once it has held the main thread a second (Ctrl-C during a runaway regex)', async () => {
    const { child, done, stderr } = start(['-v', '-b', '1h', '--filter', '/(a+)+$/.test(x)']);
    child.stdin!.write(`${'a'.repeat(40)}b\n`);
    await eventually(() => stderr().includes(HELD), 'the runaway to be seen');
    child.kill('SIGINT');
    expect(shellStatus(await done)).toBe(130);
  });

  it('gives the signals back their graceful stop when it returns', async () => {
    const free = join(tempDir(), 'free');
    // busy until the test says so: the stretch lasts as long as the test needs, whatever the machine's load
    const busy = `(x) => { while (!process.getBuiltinModule("fs").existsSync(${JSON.stringify(free)})); return true; }`;
    const { child, done, stderr } = start(['-v', '-b', '1h', '--filter', busy, '--map', 'x.toUpperCase()']);
    child.stdin!.write('one\n');
    await eventually(() => stderr().includes(HELD), 'the long stretch to be seen');
    writeFileSync(free, '');
    await eventually(() => stderr().includes('the main thread is free again'), 'the stretch to end');
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('ONE\n');
  });
});
