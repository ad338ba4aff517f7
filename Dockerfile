# The company-access service: one static-ish binary on a slim Debian.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release -p company-access

FROM debian:bookworm-slim
RUN useradd --system --home /var/lib/company-access company-access \
 && mkdir -p /var/lib/company-access && chown company-access /var/lib/company-access
COPY --from=build /src/target/release/company-access /usr/local/bin/company-access
USER company-access
WORKDIR /var/lib/company-access
ENV COMPANY_ACCESS_BIND=0.0.0.0:8080 \
    COMPANY_ACCESS_DATA_DIR=/var/lib/company-access \
    COMPANY_ACCESS_LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["company-access"]
CMD ["serve"]
