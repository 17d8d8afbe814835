# One image for the hub's api, worker, scheduler and migrate processes (docker-compose.yml picks the command).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY workflows ./workflows
COPY activities ./activities
COPY domain ./domain
COPY adapters ./adapters
COPY api ./api
COPY identity ./identity
COPY console ./console
COPY db ./db
COPY bin ./bin
COPY infra ./infra
COPY scheduler ./scheduler
USER node
EXPOSE 8080
CMD ["node", "--import", "tsx", "bin/api.ts"]
