# syntax=docker/dockerfile:1
#
# One image for every Ordo process. The command picks what runs:
#   docker run ordo              ordo serve: API, worker and built-in gateway on the embedded database
#   docker run ordo api          (also: worker, gateway, migrate, seed, create-admin, mail, help)
# compose.yaml runs it on PostgreSQL and Redis; docs/OPERATIONS.md describes the image.

# ---- build: install every dependency, build the server and the web UI, drop dev dependencies ----
FROM node:24-bookworm-slim AS build
WORKDIR /app

# The lock file alone first, so a source change reuses this layer. `--ignore-scripts`: the root
# `prepare` script is the build, which needs the sources copied below. No production dependency
# has an install script: sharp and @node-rs/argon2 come as prebuilt optional packages, and
# npm picks the linux glibc ones for this platform (linux-x64 or linux-arm64).
# test/container-commands.test.ts fails if a production dependency gains an install script.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund

# Everything else that .dockerignore lets through, so a new build input needs no change here.
COPY . .
# `npm prune` never runs the root `prepare` script; `--ignore-scripts` says so explicitly.
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# ---- runtime: production dependencies, the build, and what it reads at run time ----
FROM node:24-bookworm-slim AS runtime

# tini runs as PID 1: it hands SIGTERM to Node (which then shuts down gracefully and exits 0)
# and reaps orphaned processes. Without it, run the image with `docker run --init`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data

WORKDIR /app
# Owned by root and read-only for the process: the app cannot rewrite its own code.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The SQL migrations and the mail templates are read from src/ at run time.
COPY --from=build /app/src ./src
COPY --from=build /app/docker ./docker

# The embedded database (PGlite), its lock file and the generated JWT secret live in DATA_DIR.
# `node` (uid 1000) is the base image's unprivileged user.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node

EXPOSE 3000
# GET /healthz on PORT. Processes without an HTTP API override it (compose.yaml: the gateway
# checks its own port; the worker and one-shot commands have none).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["node", "docker/healthcheck.js"]

ENTRYPOINT ["tini", "--", "node", "dist/main.js"]
CMD ["serve"]
