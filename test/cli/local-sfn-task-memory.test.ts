import { describe, expect, it } from 'vitest';
import {
  observeTaskMemory,
  runStateMachine,
  type TaskMemoryRecord,
} from '../../scripts/runtime/local-sfn/index.ts';

const MiB = 2 ** 20;
const definitionPath = 'test/support/fixtures/statemachines/allocate-map.asl.json';
const handlers = {
  AllocateFunctionArn: { module: 'test/support/fixtures/handlers/allocate.fixture.ts' },
};

describe('the task-memory hook of runStateMachine', () => {
  it("reports each invocation's memory in its worker, ArrayBuffers included", async () => {
    const records: TaskMemoryRecord[] = [];
    const { output } = await runStateMachine({
      definitionPath,
      input: { items: [1, 2, 3], mebibytes: 48, busyMs: 1500 },
      handlers,
      workers: 2,
      taskMemory: { onTask: (r) => records.push(r), sampleMs: 20 },
    });
    expect(output).toHaveLength(3);
    expect(records).toHaveLength(3);
    for (const r of records) {
      expect(r.functionName).toBe('Allocate');
      expect(r.succeeded).toBe(true);
      // The handler keeps its buffer: `end` holds it on top of what `start` (after a GC) held
      // (less a few KiB of other external memory released meanwhile).
      expect(r.end.externalBytes - r.start.externalBytes).toBeGreaterThanOrEqual(47 * MiB);
      expect(r.peakUsedBytes).toBeGreaterThanOrEqual(r.end.usedBytes + r.end.externalBytes);
      expect(r.peakResidentBytes).toBeGreaterThanOrEqual(r.end.residentBytes + r.end.externalBytes);
      expect(r.start.usedBytes).toBeGreaterThan(0);
      expect(r.gcMs).toBeGreaterThanOrEqual(0);
      // Sampled from the main thread while the handler computed synchronously.
      expect(r.samples).toBeGreaterThan(0);
    }
  });

  it('uses the process-wide hook when the options name none, and nothing once it is cleared', async () => {
    const records: TaskMemoryRecord[] = [];
    observeTaskMemory({ onTask: (r) => records.push(r) });
    try {
      await runStateMachine({
        definitionPath,
        input: { items: [1], mebibytes: 1, busyMs: 0 },
        handlers,
        workers: 1,
      });
    } finally {
      observeTaskMemory(undefined);
    }
    expect(records.map((r) => r.functionName)).toEqual(['Allocate']);
    await runStateMachine({
      definitionPath,
      input: { items: [1], mebibytes: 1, busyMs: 0 },
      handlers,
      workers: 1,
    });
    expect(records).toHaveLength(1);
  });
});
