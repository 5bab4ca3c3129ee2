# One image per service, from one build: `docker build --target gateway -t proctor/gateway .`
# The same processes as deploy/stack.sh runs (node --import tsx services/NAME/src/index.ts), configured by the
# same environment variables (deploy/stack.env lists them with their local values).

FROM node:20-bookworm-slim AS deps
RUN npm install -g pnpm@10.34.8
WORKDIR /app
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
COPY packages ./packages
COPY services ./services
COPY proto ./proto
COPY web ./web
COPY deploy ./deploy
COPY bench/package.json ./bench/package.json
COPY tsconfig.base.json tsconfig.json ./
RUN pnpm install --frozen-lockfile

FROM deps AS web-build
RUN pnpm --filter @proctor/web build

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production
RUN useradd --uid 10001 --create-home proctor
COPY --from=deps /app /app

FROM runtime AS ingestion
USER proctor
EXPOSE 4100
CMD ["node", "--import", "tsx", "services/ingestion/src/index.ts"]

FROM runtime AS event-store
USER proctor
EXPOSE 4110
CMD ["node", "--import", "tsx", "services/event-store/src/index.ts"]

FROM runtime AS projector
USER proctor
EXPOSE 4120
CMD ["node", "--import", "tsx", "services/projector/src/index.ts"]

# The gateway renders report PDFs with Debian's Chromium and serves the built web app.
FROM runtime AS gateway
RUN apt-get update && apt-get install -y --no-install-recommends chromium fonts-liberation fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/*
COPY --from=web-build /app/web/dist /app/web/dist
ENV CHROMIUM_PATH=/usr/bin/chromium WEB_DIST=/app/web/dist
USER proctor
EXPOSE 4000
CMD ["node", "--import", "tsx", "services/gateway/src/index.ts"]

# The verifier records with ffmpeg; its detector models ship inside the npm packages already installed.
FROM runtime AS verifier
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
ENV VERIFIER_SPOOL_DIR=/spool
RUN mkdir /spool && chown proctor /spool
USER proctor
EXPOSE 4130
CMD ["node", "--import", "tsx", "services/verifier/src/index.ts"]
