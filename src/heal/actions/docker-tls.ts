/** Reading `recovery.docker_tls`'s files once, at start, into the client certificate the Docker clients use. */
import { readFileSync } from 'node:fs';
import type { RecoveryConfig } from '../../config/recovery.js';
import type { DockerTls } from '../../docker/docker-client.js';
import { ConfigError } from '../../errors.js';

type TlsFiles = NonNullable<RecoveryConfig['docker_tls']>;

/** The three files' contents; a ConfigError naming each that cannot be read. */
export function readDockerTls(files: TlsFiles): DockerTls {
  const problems: { path: string; message: string }[] = [];
  const read = (key: keyof TlsFiles): Buffer => {
    try {
      return readFileSync(files[key]);
    } catch (error) {
      problems.push({
        path: `recovery.docker_tls.${key}`,
        message: `cannot read ${files[key]}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      });
      return Buffer.alloc(0);
    }
  };
  const tls = { ca: read('ca_file'), cert: read('cert_file'), key: read('key_file') };
  if (problems.length > 0) throw new ConfigError('recovery', problems);
  return tls;
}
