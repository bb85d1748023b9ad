# syntax=docker/dockerfile:1
# pxauth as an image: three stages, so that the runtime holds production dependencies only.
#   docker build -t pxauth .
#   docker run -e DATABASE_URL=postgres://… -e ENCRYPTION_KEY=… -e OTP_DELIVERY=live … -p 3000:3000 pxauth
# The native modules (argon2, better-sqlite3) are compiled in the `deps` stage on the same Debian base as
# the runtime, so they link against the glibc the image runs with (their prebuilt binaries are a
# fallback-free bonus, not a requirement). Moving to an Alpine (musl) base means changing all three FROMs.
# Node 24, the maintained LTS line that CI and the tests run on (Node 20 reached its end of life in April 2026).
ARG NODE_IMAGE=node:24-bookworm-slim

# 1. build: every dependency, then the TypeScript to dist/
FROM ${NODE_IMAGE} AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npx nest build

# 2. deps: production dependencies only, native modules built here for the runtime's libc
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. runtime: no compiler, no dev dependency, not root
FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="pxauth" \
      org.opencontainers.image.description="Plaid Exchange legacy (non-OAuth) authentication sidecar for banks" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="UNLICENSED" \
      org.opencontainers.image.base.name="docker.io/library/${NODE_IMAGE}"
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    ADMIN_HOST=127.0.0.1 \
    ADMIN_PORT=3001 \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
# The code is root's and read-only to the service; only data/ (a SQLite file, if one is used) is writable.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
# 3000: Plaid's listener. 9000: the management listener (/metrics and the probes) once MANAGEMENT_PORT=9000.
EXPOSE 3000 9000
# The internal listener (ADMIN_PORT) stays on loopback unless ADMIN_HOST says otherwise: reach it from
# the same pod or network namespace, never publish it.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM drains (SHUTDOWN_DELAY, then SHUTDOWN_TIMEOUT); node is PID 1 and handles it itself.
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
