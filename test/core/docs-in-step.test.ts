/** docs/state-machine.md and docs/errors.md say exactly what the code's tables say. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOG } from '../../src/core/errors.js';
import { TRANSITIONS } from '../../src/core/job-state.js';

function tableRows(file: string, marker: string): string[][] {
  const text = readFileSync(new URL(`../../docs/${file}`, import.meta.url), 'utf8');
  const start = text.indexOf(`<!-- ${marker}:start -->`);
  const end = text.indexOf(`<!-- ${marker}:end -->`);
  expect(start, `${file} has the ${marker} markers`).toBeGreaterThan(-1);
  return text
    .slice(start, end)
    .split('\n')
    .filter((l) => l.startsWith('|') && !l.startsWith('|---'))
    .slice(1)
    .map((l) => l.split('|').slice(1, -1).map((c) => c.trim().replace(/^`|`$/g, '')));
}

describe('docs in step with code', () => {
  it('docs/state-machine.md lists exactly the transition table', () => {
    const documented = tableRows('state-machine.md', 'transitions').map(([from, event, to]) => `${from} --${event}--> ${to}`);
    const code = TRANSITIONS.map((t) => `${t.from} --${t.event}--> ${t.to}`);
    expect([...documented].sort()).toEqual([...code].sort());
  });

  it('docs/errors.md lists exactly the error catalog, with the same meanings', () => {
    const documented = Object.fromEntries(tableRows('errors.md', 'errors').map(([code, meaning]) => [code, meaning]));
    expect(documented).toEqual({ ...ERROR_CATALOG });
  });
});
