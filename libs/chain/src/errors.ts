import { RV_ERROR_CODES, RvErrorName } from './program';

const BY_CODE: ReadonlyMap<number, RvErrorName> = new Map(
  (Object.entries(RV_ERROR_CODES) as [RvErrorName, number][]).map(([name, code]) => [code, name]),
);

/** The rainbow_veil error name of an Anchor custom error code (6000..), or undefined. */
export function rvErrorName(code: number): RvErrorName | undefined {
  return BY_CODE.get(code);
}

const CUSTOM_RE = /custom program error: (0x[0-9a-fA-F]+|\d+)/;

/**
 * Finds the rainbow_veil error in a failed transaction's logs or error text
 * (`... failed: custom program error: 0x1773` -> 'NullifierUsed'). Undefined if there is none
 * (e.g. a system program error such as "account already in use", which is code 0x0).
 */
export function findRvError(logsOrMessage: readonly string[] | string): RvErrorName | undefined {
  const lines = typeof logsOrMessage === 'string' ? [logsOrMessage] : logsOrMessage;
  for (const line of lines) {
    const m = CUSTOM_RE.exec(line);
    if (!m) continue;
    const name = rvErrorName(Number(m[1]));
    if (name) return name;
  }
  return undefined;
}
