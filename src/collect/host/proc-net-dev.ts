/** /proc/net/dev: per-device network counters. */
import type { NetworkDeviceStats } from '../snapshot.js';

/**
 * Parses the text of /proc/net/dev. Each device line holds 8 receive then 8 transmit
 * counters: bytes packets errs drop fifo frame compressed multicast, then
 * bytes packets errs drop fifo colls carrier compressed.
 */
export function parseNetDev(text: string, exclude: RegExp): NetworkDeviceStats[] {
  const devices: NetworkDeviceStats[] = [];
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const device = line.slice(0, colon).trim();
    if (exclude.test(device)) continue;
    const v = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (v.length < 16) continue;
    devices.push({
      device,
      receive_bytes: v[0] as number,
      receive_packets: v[1] as number,
      receive_errs: v[2] as number,
      receive_drop: v[3] as number,
      transmit_bytes: v[8] as number,
      transmit_packets: v[9] as number,
      transmit_errs: v[10] as number,
      transmit_drop: v[11] as number,
    });
  }
  return devices;
}
