/** The text of `aegis-sentinel --help`. */
export const HELP = `usage: aegis-sentinel [flags]
       aegis-sentinel check-config FILE...
       aegis-sentinel backtest INPUT [--output OUT] [--format nab]

Monitoring and self-healing agent for Prometheus users.

Commands:
  (none)                Run the agent: collect, detect, serve /metrics, /status, /healthz, /heal.
  check-config FILE...  Validate configuration files (and the healing policy they name);
                        exit 1 with every problem, like promtool check config.
  backtest INPUT        Run the anomaly detectors causally over a CSV file or folder.

Flags:
  --config.file=FILE    YAML configuration file. Without it, embedded defaults.
  --web.listen-address=HOST:PORT
                        Address to listen on (default ":8737").
  --log.level=LEVEL     debug, info, warn or error (default "info").
  --collector.NAME, --no-collector.NAME
                        Switch a collector on or off: host, network, disk, endpoints, containers.
  --SECTION.KEY=VALUE   Any configuration key, dashes for underscores, e.g.
                        --monitoring.collection-interval=1s --monitoring.api-endpoints=URL
                        --detection.isolation-n-estimators=200. A list key's flag repeats,
                        one item each (--recovery.allowed-commands=/bin/true).
  --help                Show this help.
  --version             Show the version.
`;
