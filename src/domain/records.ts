// JSON maps keyed by ids (caps, weights, contributions, brought-forward amounts) read as
// Maps: only own keys count, so a partner called `constructor`, `toString` or `__proto__`
// is a key like any other and never finds Object.prototype's members.

export function recordMap<T>(record: Readonly<Record<string, T>> | undefined): Map<string, T> {
  return new Map(record === undefined ? [] : Object.entries(record));
}
