# One image for every Crossdock service; the `crossdock` command is its entry point
# (`crossdock gateway`, `crossdock migrate`, `crossdock all`, ...; see docs/deployment.md).
# The build stage runs the release build's own commands, the ones .ci/release-check runs on a
# fresh clone: npm ci, npm run build, npm prune --omit=dev --omit=optional.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# No telemetry or update checks from the build tools.
ENV CHECKPOINT_DISABLE=1 TURBO_TELEMETRY_DISABLED=1 NPM_CONFIG_UPDATE_NOTIFIER=false
COPY . .
RUN npm ci --no-audit --no-fund
RUN npm run build
RUN npm prune --omit=dev --omit=optional --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production NPM_CONFIG_UPDATE_NOTIFIER=false
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 4000
ENTRYPOINT ["node", "launcher/bin/crossdock.js"]
CMD ["--help"]
