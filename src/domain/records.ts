// JSON maps keyed by ids (caps, weights, contributions, brought-forward amounts) read as
// Maps: only own keys count, so a partner called `constructor`, `toString` or `__proto__`
// is a key like any other and never finds Object.prototype's members.

export function recordMap<T>(record: Readonly<Record<string, T>> | undefined): Map<string, T> {
  return new Map(record === undefined ? [] : Object.entries(record));
}

/** The value under `key` if the record has it as its own property (never an inherited member). */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
