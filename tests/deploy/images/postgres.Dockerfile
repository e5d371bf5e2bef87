# A stand-in for the public postgres image, for machines that cannot pull from a registry:
# Debian's PostgreSQL on the same base, initialised from the same environment variables
# (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB) into the same data folder.
ARG BASE
FROM ${BASE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]
