import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, heapPolicyFlag } from '../../src/cli/heap-policy.js';

describe('the CLI heap policy', () => {
  it('sets the growing factor by default', () => {
    expect(heapPolicyFlag([])).toBe(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    expect(heapPolicyFlag(['--enable-source-maps', '--heap-growing-percentile=3'])).toBe(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  });

  it("leaves a factor the user gave node alone, in either spelling (0 = V8's own policy)", () => {
    expect(heapPolicyFlag(['--heap-growing-percent=0'])).toBeNull();
    expect(heapPolicyFlag(['--heap_growing_percent=50'])).toBeNull();
    expect(heapPolicyFlag(['--heap-growing-percent', '50'])).toBeNull();
  });

  it('leaves a factor given in NODE_OPTIONS alone (it is not in execArgv)', () => {
    expect(heapPolicyFlag([], '--max-old-space-size=512 --heap-growing-percent=0')).toBeNull();
    expect(heapPolicyFlag([], '--heap_growing_percent=50')).toBeNull();
    expect(heapPolicyFlag([], '--max-old-space-size=512')).toBe(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  });
});
