/** bench:agent's flags: `--quick` for a shorter run (about 2 min instead of 7). */

export interface AgentBenchOptions {
  quick: boolean;
  /** Start-ups of each program, alternating. */
  startups: number;
  /**
   * Seconds both exporters run before idle CPU is measured: start-up's garbage collected
   * and the agent's hot code compiled by V8's optimising tiers (in its first 100 s or so
   * the agent costs about 1.5 times what it does from then on, day after day).
   */
  settleSeconds: number;
  /** Idle windows, and their length in seconds; each exporter scraped every 15 s. */
  idleWindows: number;
  idleWindowSeconds: number;
  /** Sequential scrapes of each exporter. */
  scrapes: number;
  /** Target counts of the probe comparison, rounds (agent then blackbox) and their seconds. */
  probeTargets: number[];
  probeRounds: number;
  probeSeconds: number;
  /** How long the hung-endpoint case is watched. */
  hungSeconds: number;
}

export const USAGE = `usage: npm run bench:agent [-- --quick]

  --quick   fewer repetitions and shorter windows (about 2 min instead of 7)
  --help
`;

export function parseAgentBenchOptions(argv: readonly string[]): AgentBenchOptions | 'help' {
  for (const arg of argv) {
    if (arg === '--help') return 'help';
    if (arg !== '--quick') throw new Error(`unknown flag ${JSON.stringify(arg)}\n${USAGE}`);
  }
  const quick = argv.includes('--quick');
  return {
    quick,
    startups: quick ? 3 : 5,
    settleSeconds: quick ? 30 : 120,
    idleWindows: quick ? 1 : 3,
    idleWindowSeconds: quick ? 30 : 60,
    scrapes: quick ? 50 : 200,
    probeTargets: [10, 300],
    probeRounds: quick ? 1 : 3,
    probeSeconds: quick ? 6 : 10,
    hungSeconds: quick ? 8 : 15,
  };
}
