import * as fs from 'fs';
import { migrations } from './index';

describe('migration list', () => {
  const stamp = (name: string) => Number(/(\d{13})$/.exec(name)?.[1]);

  it('lists every migration file exactly once', () => {
    const files = fs
      .readdirSync(__dirname)
      .filter((f) => /^\d{13}-.*\.ts$/.test(f) && !f.endsWith('.spec.ts'));
    expect(migrations).toHaveLength(files.length);
    const listed = new Set(migrations.map((m) => stamp(m.name)));
    for (const f of files) expect(listed).toContain(Number(f.slice(0, 13)));
  });

  it('is in strictly increasing timestamp order (the order they apply in)', () => {
    const stamps = migrations.map((m) => stamp(m.name));
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    expect(new Set(stamps).size).toBe(stamps.length);
  });
});
