# Aegis Sentinel: multi-stage build on Node.js 22 LTS, non-root, state in /var/lib/aegis-sentinel.
#   docker build -t aegis-sentinel .
#   docker run -p 8737:8737 -v aegis-data:/var/lib/aegis-sentinel aegis-sentinel
# Watching the host it runs on, as node_exporter does (docs/stack.md#run-the-image):
#   docker run -d --pid=host --net=host -v /:/host:ro,rslave \
#     -v /var/run/docker.sock:/var/run/docker.sock --group-add "$(stat -c %g /var/run/docker.sock)" \
#     aegis-sentinel --path.rootfs=/host
# test/image/ builds and runs this file with podman (npm run test:image).

# Compiles the TypeScript; nothing of this stage but dist/ reaches the final image.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` builds, and the sources are not here yet.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle-cli.mjs scripts/code-cache.mjs ./scripts/
COPY src ./src
RUN npm run build

# Production dependencies only, in a stage of their own so that the final image holds no
# compiler, no test runner and no npm cache.
FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

FROM node:22-bookworm-slim
# aegis_build_info{revision}: docker build --build-arg REVISION="$(git rev-parse --short HEAD)"
ARG REVISION=unknown
ENV NODE_ENV=production AEGIS_REVISION=$REVISION
# The program is root-owned and read-only to the agent.
COPY --from=deps /app/node_modules /app/node_modules
COPY --from=build /app/dist /app/dist
COPY package.json /app/
# The agent's one writable folder, and its working directory: the command's relative
# defaults land here (detector state in data/detector-state.json, the healing audit in
# aegis_heal_audit.jsonl), whatever flags or configuration file a `docker run` gives.
# Mount a volume here to keep them (compose does).
RUN mkdir -p /var/lib/aegis-sentinel && chown node:node /var/lib/aegis-sentinel
WORKDIR /var/lib/aegis-sentinel
# The image's `node` user (uid 1000). Reading the Docker socket needs its group:
# --group-add (or compose's group_add) with the socket's gid.
USER node
EXPOSE 8737
# No curl in the image: Node's own fetch asks /healthz, which fails when no collection
# round finished in the last three intervals.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8737/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["--web.listen-address=:8737"]
