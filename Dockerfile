# One image for the hub's api, worker, scheduler and migrate processes (docker-compose.yml picks the command).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# Everything but what .dockerignore leaves out (tests, benchmarks, local state), so a new source folder
# cannot be forgotten here (app/ and sync/ once were).
COPY . .
USER node
EXPOSE 8080
CMD ["node", "--import", "tsx", "bin/api.ts"]
