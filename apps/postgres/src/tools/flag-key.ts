// Flags that mark rows of a text listing ("[no USAGE]"), and the key to them that follows the
// note: explained only when a row carries them, and labelled as a key so that it cannot be read
// as a statement about the results.

export interface RowFlag {
  /** The marker as it appears on a row, brackets included. */
  readonly marker: string;
  /** What a marked row means, e.g. "a schema this server's role may not use". */
  readonly meaning: string;
  /** How many rows of this page carry it. */
  readonly count: number;
}

export function flagMarker(label: string): string {
  return `[${label}]`;
}

/** ` Key: [no USAGE] marks ... (1 here).` for the flags some row carries; '' when none does. */
export function flagKey(flags: readonly RowFlag[]): string {
  const shown = flags.filter((flag) => flag.count > 0);
  if (shown.length === 0) return '';
  return ` Key: ${shown.map((flag) => `${flag.marker} marks ${flag.meaning} (${flag.count} here)`).join('; ')}.`;
}
