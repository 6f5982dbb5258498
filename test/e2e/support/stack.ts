// The peers every scenario needs, started in dependency order and stopped in reverse,
// each stop attempted even when another fails: agents, a human receiver, Alertmanager
// delivering to every agent's /heal, Prometheus scraping the agents.
import { join } from 'node:path';
import type { SentinelConfigInput } from '../../../src/config/schema.js';
import { type AlertmanagerServer, startAlertmanager } from '../../support/alertmanager.js';
import { type PrometheusServer, startPrometheus } from '../../support/prometheus.js';
import { type AgentProcess, startAgent } from './agent.js';
import { buildAgent } from './agent-build.js';
import { type WebhookRecorder, startWebhookRecorder } from './webhook-recorder.js';

/** Scrape, evaluation and collection interval of every scenario, in seconds. */
export const INTERVAL = 1;

/** The healing policy the project ships, which every scenario heals by. */
export const SHIPPED_POLICY = join(import.meta.dirname, '..', '..', '..', 'examples', 'policy.yml');

export interface StackOptions {
  /**
   * One config per agent; `dir` is the agent's private dir. Each gets, unless it sets
   * them, `collection_interval` INTERVAL and the shipped policy, and always the stack's
   * token file as `recovery.auth_token_file`.
   */
  agents: ((dir: string) => SentinelConfigInput)[];
  /** Indexes of the agents Prometheus scrapes. @default all */
  scraped?: number[];
}

export interface Stack {
  agents: AgentProcess[];
  prometheus: PrometheusServer;
  alertmanager: AlertmanagerServer;
  humans: WebhookRecorder;
  stop(): Promise<void>;
}

/**
 * Starts the stack; on failure stops what it started and rethrows. The token Alertmanager
 * sends is written to each agent's `heal-token` file, for `recovery.auth_token_file`.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const token = `e2e-${Math.random().toString(36).slice(2)}`;
  const stops: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const stopOne of stops.splice(0).reverse()) {
      await stopOne().catch((error: unknown) => console.error('e2e cleanup failed:', error));
    }
  };
  try {
    const cli = await buildAgent();
    const humans = await startWebhookRecorder();
    stops.push(humans.close);
    const agents: AgentProcess[] = [];
    for (const makeConfig of options.agents) {
      const agent = await startAgent(cli, withStackSettings(makeConfig), { 'heal-token': token });
      stops.push(agent.stop);
      agents.push(agent);
    }
    const alertmanager = await startAlertmanager({
      healUrls: agents.map((agent) => `${agent.url}/heal`),
      humansUrl: humans.url,
      token,
    });
    stops.push(alertmanager.stop);
    const scraped = options.scraped ?? agents.map((_, index) => index);
    const prometheus = await startPrometheus({
      agents: scraped.map((index) => (agents[index] as AgentProcess).address),
      alertmanagers: [alertmanager.address],
      intervalSeconds: INTERVAL,
    });
    stops.push(prometheus.stop);
    return { agents, prometheus, alertmanager, humans, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Where no test points them: a port nothing listens on. */
const SHIPPED_POLICY_CACHES = {
  'app-cache': { url: 'redis://127.0.0.1:1' },
  sessions: { url: 'redis://127.0.0.1:1' },
};

function withStackSettings(
  makeConfig: (dir: string) => SentinelConfigInput,
): (dir: string) => SentinelConfigInput {
  return (dir) => {
    const made = makeConfig(dir);
    return {
      ...made,
      monitoring: { collection_interval: INTERVAL, ...made.monitoring },
      recovery: {
        policy_file: SHIPPED_POLICY,
        // The shipped policy's caches and commands must be on their allow-lists, or the
        // agent refuses to start; tests that flush a cache point it at a real Redis.
        allowed_commands: ['/usr/sbin/logrotate', '/usr/bin/pgrep'],
        ...made.recovery,
        caches: { ...SHIPPED_POLICY_CACHES, ...made.recovery?.caches },
        auth_token_file: join(dir, 'heal-token'),
      },
    };
  };
}
