# One image per service, from the Quarkus fast-jar that `mvn package` leaves in <module>/target/quarkus-app.
#   docker build -f deploy/service.Dockerfile --build-arg MODULE=data-service .
FROM eclipse-temurin:17-jre
ARG MODULE
RUN useradd --system --uid 10001 --home-dir /app strongroom
WORKDIR /app
COPY --chown=10001 ${MODULE}/target/quarkus-app/lib/ /app/lib/
COPY --chown=10001 ${MODULE}/target/quarkus-app/*.jar /app/
COPY --chown=10001 ${MODULE}/target/quarkus-app/app/ /app/app/
COPY --chown=10001 ${MODULE}/target/quarkus-app/quarkus/ /app/quarkus/
USER 10001
ENV QUARKUS_HTTP_HOST=0.0.0.0 JAVA_OPTS="-Xmx256m -XX:+ExitOnOutOfMemoryError"
# HTTPS only, client certificate required; configuration from /app/config/application.properties
# (deploy/services/<module>.properties, mounted by docker-compose.yml).
EXPOSE 8443
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /app/quarkus-run.jar"]
