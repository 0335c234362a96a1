# syntax=docker/dockerfile:1
# Build: installs the locked tree, bundles the CLI (esbuild) and compiles the native state-store driver with the
# full toolchain.
FROM node:22-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.mjs scripts/externals.mjs scripts/prune-bundled.mjs ./scripts/
COPY src ./src
COPY checks ./checks
COPY alerts ./alerts
# Then only what runs: the packages the bundle leaves to node_modules and what they need (prune-bundled: the AWS
# SDK, zod, the Grafana SDK and the rest are in the bundle; no source maps or type declarations); not the musl
# DuckDB binding (71 MB), which npm installs beside the glibc one because it ignores the lock file's `libc` field;
# of better-sqlite3 only its compiled addon (its sources and object files are 27 MB).
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund \
  && node scripts/prune-bundled.mjs \
  && rm -rf node_modules/@duckdb/node-bindings-linux-*-musl \
  && cd node_modules/better-sqlite3 \
  && mv build/Release/better_sqlite3.node . && rm -rf build deps src \
  && mkdir -p build/Release && mv better_sqlite3.node build/Release/

# Runtime: production dependencies and the bundled CLI only, as an unprivileged user, on a read-only root file
# system: nothing is written outside the state volume and /tmp.
FROM node:22-bookworm-slim
# tini as PID 1 forwards SIGTERM to the agent (which then stops cleanly) and reaps children.
RUN apt-get update && apt-get install -y --no-install-recommends tini \
  && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
# The config is read from /etc/guardrail (as shipped: the quickstart; mount yours over it); a relative SQLite
# state path, the default included, lands in the state volume, writable by uid 10001 and by group 0, so that a
# platform that runs images under an arbitrary uid in group 0 (OpenShift) can keep its state there too.
ENV NODE_ENV=production \
  GUARDRAIL_CONFIG=/etc/guardrail/guardrail.yaml \
  GUARDRAIL_STATE_DIR=/var/lib/guardrail
RUN groupadd --system --gid 10001 guardrail \
  && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/guardrail --no-create-home guardrail \
  && mkdir -p /var/lib/guardrail && chown 10001:0 /var/lib/guardrail && chmod 0770 /var/lib/guardrail
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
# The bundle: the CLI and its lazily loaded chunks; node_modules serves the native and external drivers.
COPY --from=build /app/dist/src ./dist/src
COPY package.json ./
COPY examples/quickstart/guardrail.yaml /etc/guardrail/guardrail.yaml
COPY examples/quickstart/data /etc/guardrail/data
COPY examples/quickstart/tables /etc/guardrail/tables
VOLUME ["/var/lib/guardrail"]
# Compiled code, made here for the user the image runs as: a container started afresh for each run (a CronJob)
# starts with its modules compiled, where a cache in /tmp would start empty every time. Node's compile cache keeps a
# folder per uid, and Guardrail reads a cache only from a folder its user owns that others cannot write, so under
# another uid (OpenShift's) the cache is off, as it is with NODE_DISABLE_COMPILE_CACHE=1. On the read-only root
# nothing is added to it at run time. The warm-up runs each brief command once and the quickstart once, its state
# in /tmp (a VOLUME keeps no build-time writes).
ENV NODE_COMPILE_CACHE=/app/compile-cache
RUN install -d -m 0700 -o 10001 -g 10001 /app/compile-cache
# Numeric, so that Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
RUN node dist/src/cli/main.js validate >/dev/null \
  && node dist/src/cli/main.js checks >/dev/null \
  && node dist/src/cli/main.js schema >/dev/null \
  && node dist/src/cli/main.js iam-policy >/dev/null \
  && node dist/src/cli/main.js help >/dev/null \
  && node dist/src/cli/main.js run --state sqlite:///tmp/guardrail-warm-up/state.db >/dev/null \
  && rm -rf /tmp/guardrail-warm-up
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "require('http').get('http://127.0.0.1:'+(process.env.GUARDRAIL_PORT||9464)+'/healthz',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"
ENTRYPOINT ["tini", "--", "node", "dist/src/cli/main.js"]
CMD ["serve"]
