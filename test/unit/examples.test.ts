import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../../shared/policy/load.js';

describe('example policies', () => {
  it('are all valid', async () => {
    // Prepare
    const dir = 'examples/policies';
    const files = [join('examples', 'policy.yaml'), ...(await readdir(dir)).map((f) => join(dir, f))];

    // Act
    const loaded = await Promise.all(files.map((f) => loadPolicyFile(f)));

    // Assess
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const p of loaded) expect(p.policy.version).toBe(1);
  });
});
