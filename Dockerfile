# syntax=docker/dockerfile:1
# Sendway relay. Build:  docker build -t sendway-relay .
# Run:    docker run -d --name sendway-relay -p 127.0.0.1:8787:8787 -v sendway-data:/var/lib/sendway \
#           --env-file relay.env sendway-relay
# Put a TLS reverse proxy in front (deploy/Caddyfile) and set RELAY_TRUST_PROXY=1; see README "Deploying the relay".

# 1. Compile the relay to plain JavaScript (esbuild, a dev dependency): no tsx or TypeScript at run time.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the root postinstall (wxt prepare) belongs to the extension build; the compiler needs no native module.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY scripts/build-relay.mjs ./scripts/
COPY relay ./relay
COPY shared ./shared
RUN node scripts/build-relay.mjs

# 2. Runtime dependencies only. better-sqlite3 is native: its install script fetches a prebuilt binary
#    for this Node ABI or compiles it (hence the toolchain, which stays in this stage).
FROM node:20-bookworm-slim AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 \
 && npm cache clean --force

# 3. The image: Node, the compiled relay, production node_modules, a non-root user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    RELAY_HOST=0.0.0.0 \
    RELAY_PORT=8787 \
    RELAY_DATA_DIR=/var/lib/sendway
RUN groupadd --system --gid 10001 sendway \
 && useradd --system --uid 10001 --gid sendway --home-dir /var/lib/sendway --shell /usr/sbin/nologin sendway \
 && mkdir -p /var/lib/sendway \
 && chown sendway:sendway /var/lib/sendway \
 && chmod 0700 /var/lib/sendway
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist-relay ./dist-relay
COPY package.json ./
# The database, its WAL and secret.key (when RELAY_SECRET is unset) live here: back this volume up.
VOLUME ["/var/lib/sendway"]
USER 10001:10001
EXPOSE 8787
# Liveness only (/healthz needs no database); load balancers should probe /readyz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.RELAY_PORT || 8787) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM: /readyz turns 503, the listener drains, in-flight mail finishes (10 s grace each). Give `docker stop` -t 30.
STOPSIGNAL SIGTERM
CMD ["node", "dist-relay/main.mjs"]
