# The runtime stage is last, so a plain `docker build .` makes the node image; `--target test`
# makes the image that runs the test suite (docker-compose.yml's "tests" service).
# Node 24 (LTS): the whole suite passes on it as on the Node 20 the project is developed with.
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /usr/src/app
COPY package.json package-lock.json ./
# No install scripts: the package's own "prepare" would compile sources not copied yet, and
# the only dependency that builds anything (unix-dgram, optional, for hot-shots' Unix sockets)
# is one the node never uses (it sends StatsD over UDP).
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build

FROM build AS test
# The same Debian packages .ci/run installs for the deployment tests.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openssh-server ansible \
 && rm -rf /var/lib/apt/lists/*
CMD ["npm", "test"]

FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /usr/src/app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /usr/src/app
COPY package.json ./
COPY models/schema ./models/schema
COPY --from=deps /usr/src/app/node_modules ./node_modules
COPY --from=build /usr/src/app/dist ./dist
# /data is made and owned before VOLUME: a new named volume takes that ownership. A host
# folder mounted there must be writable by uid 10001, or run with --user "$(id -u):$(id -g)"
# (HOME is /data whatever the uid).
RUN groupadd --system --gid 10001 bigchaindb \
 && useradd --system --uid 10001 --gid bigchaindb --home-dir /data --no-create-home bigchaindb \
 && mkdir /data \
 && chown bigchaindb:bigchaindb /data
# The config file lives in the volume; the API and the event stream listen on every interface of the container.
ENV HOME=/data \
    BIGCHAINDB_CONFIG_PATH=/data/.bigchaindb \
    BIGCHAINDB_SERVER_BIND=0.0.0.0:9984 \
    BIGCHAINDB_WSSERVER_HOST=0.0.0.0
USER bigchaindb
VOLUME /data
EXPOSE 9984 9985
ENTRYPOINT ["node", "/usr/src/app/dist/cli/main.js"]
CMD ["start"]
