import type { RunStamp } from '../../scripts/bench/machine.ts';

/** A results file's `run` as the benches write it, with figures the summary tests look for. */
export const TEST_RUN: RunStamp = {
  date: '2026-01-02T03:04:05.000Z',
  machine: { cpuModel: 'Test CPU', cores: 3, memoryGiB: 1, node: 'v22', platform: 'x' },
  loadAverage: { before: [0.5, 0, 0], after: [1.5, 0, 0] },
  command: 'x',
  seconds: 1,
};
