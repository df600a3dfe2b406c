# entra-audit as a container image: built on Debian 12, run on debian:12-slim with the runtime libraries only, as
# a non-root user. Build: docker build -t entra-audit . ; run: docker run --rm -e AZURE_TENANT_ID=… -v
# audit:/data entra-audit scan --db /data/audit.db (README.md, "Install").

FROM debian:12 AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends g++ cmake ninja-build libboost1.81-dev libboost-url1.81-dev \
      libssl-dev rapidjson-dev libsqlite3-dev libfmt-dev libcli11-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DENTRA_AUDIT_TESTS=OFF -DCMAKE_INSTALL_PREFIX=/usr \
 && cmake --build /build --target entra-audit \
 && install -D -s /build/app/entra-audit /stage/usr/bin/entra-audit

FROM debian:12-slim
# The libraries the binary links (dpkg-shlibdeps lists the same for the .deb) and the trust store for Graph's TLS.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 libsqlite3-0 libfmt9 libboost-url1.81.0 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /data --create-home --shell /usr/sbin/nologin entra-audit
COPY --from=build /stage/usr/bin/entra-audit /usr/bin/entra-audit
USER 10001:10001
WORKDIR /data
VOLUME /data
ENTRYPOINT ["/usr/bin/entra-audit"]
CMD ["--help"]
