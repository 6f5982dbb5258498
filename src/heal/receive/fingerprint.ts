/**
 * Alert fingerprints computed the way Alertmanager computes them (prometheus/common's
 * LabelSet.Fingerprint): FNV-1a 64 over the label names in sorted order, each name and
 * value followed by a 0xff separator, printed as 16 hex digits. Local alerts thereby get
 * the fingerprint Alertmanager would give the same label set.
 */
const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;
const SEPARATOR = 0xff;

export function fingerprint(labels: Readonly<Record<string, string>>): string {
  let hash = OFFSET;
  const add = (byte: number): void => {
    hash = ((hash ^ BigInt(byte)) * PRIME) & MASK;
  };
  for (const name of Object.keys(labels).sort()) {
    for (const byte of Buffer.from(name, 'utf8')) add(byte);
    add(SEPARATOR);
    for (const byte of Buffer.from(labels[name] as string, 'utf8')) add(byte);
    add(SEPARATOR);
  }
  return hash.toString(16).padStart(16, '0');
}
