package dev.strongroom.cloud.gcp.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.strongroom.cloud.gcp.internal.Hashes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * <b>A fake</b> of the Cloud Storage JSON API for tests and the devstack: a real HTTP/1.1 server
 * (plaintext, {@code 127.0.0.1}, free port) that the official {@code google-cloud-storage} client
 * talks to through {@code StorageOptions.setHost(endpoint())}. State lives in memory. It is not a
 * security boundary; production uses Cloud Storage.
 *
 * <p>What it serves, as the JSON API specifies it (same paths, parameters, JSON field names and
 * types, status codes and error shape {@code {"error": {"code", "message", "errors": [{"message",
 * "domain", "reason"}]}}}):
 *
 * <ul>
 *   <li>buckets: {@code get}, {@code insert}, {@code patch}/{@code update} (retention policy,
 *       uniform bucket-level access, public access prevention, labels), {@code lockRetentionPolicy}
 *       (requires {@code ifMetagenerationMatch}; a locked policy can be lengthened, never shortened
 *       or removed: 403), {@code getIamPolicy}/{@code setIamPolicy} (etag-checked: 412);
 *   <li>objects: {@code insert} as {@code uploadType=media}, {@code multipart} and {@code
 *       resumable} (session URI, {@code Content-Range} chunks, {@code 308} with {@code Range},
 *       status queries), honouring {@code ifGenerationMatch} ({@code 0} = must not exist) and
 *       {@code ifGenerationNotMatch} with 412, verifying a sent {@code crc32c}/{@code md5Hash}
 *       (400); {@code get} of metadata and of media ({@code alt=media}, {@code Range}, {@code
 *       x-goog-hash}); {@code list} with {@code prefix}, {@code delimiter}, {@code maxResults},
 *       {@code pageToken}; {@code delete}. An object under its bucket's retention period cannot be
 *       deleted or replaced: 403 {@code retentionPolicyNotMet}, like Cloud Storage.
 * </ul>
 *
 * Request bodies may be gzip-encoded (the client compresses JSON). Every request is logged ({@link
 * #requests()}), so tests can prove what a dry run did not call. {@link #advanceClock} moves the
 * fake's time (retention expiry); {@link #injectOnce} makes the next write misbehave.
 */
public final class FakeCloudStorageServer implements AutoCloseable {
  /** Ways to misbehave, once. */
  public enum Fault {
    NONE,
    /** The next object write is committed, but the client gets 503 (a lost response). */
    LOSE_NEXT_WRITE_RESPONSE,
    /** The next object write is refused with 503 and has no effect. */
    UNAVAILABLE_NEXT_WRITE
  }

  /** One request as the fake received it: method, decoded path, decoded query parameters. */
  public record Request(String method, String path, Map<String, String> query) {
    /** True for methods that may change state (POST, PUT, PATCH, DELETE). */
    public boolean mutating() {
      return !method.equals("GET") && !method.equals("HEAD");
    }

    @Override
    public String toString() {
      return method + " " + path + (query.isEmpty() ? "" : " " + query);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final DateTimeFormatter RFC3339 =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter RETENTION_UNTIL =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'+00:00'").withZone(ZoneOffset.UTC);
  private static final Pattern CONTENT_RANGE =
      Pattern.compile("bytes (?:(\\d+)-(\\d+)|\\*)/(\\d+|\\*)");
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");
  private static final int DEFAULT_PAGE = 1000;
  private static final InetAddress LOOPBACK = loopback();

  private final HttpServer server;
  private final ExecutorService executor;
  private final String endpoint;
  private final Object lock = new Object();
  private final Map<String, Bucket> buckets = new TreeMap<>();
  private final Map<String, Session> sessions = new LinkedHashMap<>();
  private final List<Request> log = new CopyOnWriteArrayList<>();
  private final Clock baseClock = Clock.systemUTC();
  private volatile Duration clockOffset = Duration.ZERO;
  private Fault fault = Fault.NONE; // guarded by lock
  private long nextGeneration;
  private long policyEtag = 1;

  private static final class Bucket {
    final String name;
    final String project;
    final String location;
    final Instant created;
    long metageneration = 1;
    Instant updated;
    Long retentionSeconds; // null: no retention policy
    Instant retentionEffective;
    boolean retentionLocked;
    boolean uniformAccess;
    Instant uniformAccessLockTime;
    String publicAccessPrevention = "inherited";
    final Map<String, String> labels = new TreeMap<>();
    final Map<String, Set<String>> iam = new LinkedHashMap<>();
    long iamEtag;
    final NavigableMap<String, StoredObject> objects = new TreeMap<>();

    Bucket(String name, String project, String location, Instant created) {
      this.name = name;
      this.project = project;
      this.location = location;
      this.created = created;
      this.updated = created;
    }
  }

  /** One live object generation; immutable (its bytes are never handed out uncopied). */
  private static final class StoredObject {
    private final String name;
    private final long generation;
    private final byte[] bytes;
    private final String contentType;
    private final Instant created;
    private final Map<String, String> metadata;

    StoredObject(
        String name,
        long generation,
        byte[] bytes,
        String contentType,
        Instant created,
        Map<String, String> metadata) {
      this.name = name;
      this.generation = generation;
      this.bytes = bytes.clone();
      this.contentType = contentType;
      this.created = created;
      this.metadata = Collections.unmodifiableMap(new TreeMap<>(metadata));
    }

    String name() {
      return name;
    }

    long generation() {
      return generation;
    }

    /** The stored array itself: callers copy it before it leaves the fake. */
    byte[] bytes() {
      return bytes;
    }

    String contentType() {
      return contentType;
    }

    Instant created() {
      return created;
    }

    Map<String, String> metadata() {
      return metadata;
    }
  }

  private static final class Session {
    final String bucket;
    final ObjectNode metadata;
    final Map<String, String> preconditions;
    final ByteArrayOutputStream data = new ByteArrayOutputStream();
    ObjectNode completed;

    Session(String bucket, ObjectNode metadata, Map<String, String> preconditions) {
      this.bucket = bucket;
      this.metadata = metadata;
      this.preconditions = preconditions;
    }
  }

  private FakeCloudStorageServer() throws IOException {
    this.server = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
    this.executor = Executors.newFixedThreadPool(4, r -> daemon(r));
    this.server.setExecutor(executor);
    this.server.createContext("/", this::handle);
    this.endpoint = "http://127.0.0.1:" + server.getAddress().getPort();
    this.nextGeneration = now().toEpochMilli() * 1000;
    this.server.start();
  }

  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new IllegalStateException("a literal address cannot be unknown", e);
    }
  }

  private static Thread daemon(Runnable r) {
    Thread t = new Thread(r, "fake-cloud-storage");
    t.setDaemon(true);
    return t;
  }

  /** Starts on a free loopback port. */
  public static FakeCloudStorageServer start() throws IOException {
    return new FakeCloudStorageServer();
  }

  /** The base URL to give the client as its host: {@code http://127.0.0.1:port}. */
  public String endpoint() {
    return endpoint;
  }

  /**
   * Convenience for tests and the devstack: creates a bucket (uniform bucket-level access, public
   * access prevention enforced) with an optional retention policy, locked or not.
   *
   * @param retention null for no retention policy
   */
  public void createBucket(String project, String name, Duration retention, boolean locked) {
    synchronized (lock) {
      if (buckets.containsKey(name)) {
        throw new IllegalStateException("bucket exists: " + name);
      }
      Bucket b = new Bucket(name, project, "EUROPE-WEST3", now());
      b.uniformAccess = true;
      b.uniformAccessLockTime = b.created.plus(Duration.ofDays(90));
      b.publicAccessPrevention = "enforced";
      if (retention != null) {
        b.retentionSeconds = retention.toSeconds();
        b.retentionEffective = b.created;
        b.retentionLocked = locked;
      } else if (locked) {
        throw new IllegalArgumentException("cannot lock a bucket without a retention policy");
      }
      defaultIam(b);
      buckets.put(name, b);
    }
  }

  /** Every request received so far, in order. */
  public List<Request> requests() {
    return List.copyOf(log);
  }

  /** The requests that may have changed state (POST, PUT, PATCH, DELETE). */
  public List<Request> mutatingRequests() {
    return log.stream().filter(Request::mutating).toList();
  }

  /** Forgets the request log. */
  public void clearRequests() {
    log.clear();
  }

  /** Moves the fake's clock forward (retention periods expire). */
  public void advanceClock(Duration d) {
    synchronized (lock) {
      clockOffset = clockOffset.plus(d);
    }
  }

  /** Misbehave this way for the next object write only. */
  public void injectOnce(Fault f) {
    synchronized (lock) {
      fault = f;
    }
  }

  /** The stored bytes of an object's live generation, or null. For tests that inspect the sink. */
  public byte[] objectBytes(String bucket, String name) {
    synchronized (lock) {
      Bucket b = buckets.get(bucket);
      StoredObject o = b == null ? null : b.objects.get(name);
      return o == null ? null : o.bytes().clone();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Instant now() {
    return baseClock.instant().plus(clockOffset);
  }

  // ---- HTTP plumbing ----

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String rawPath = ex.getRequestURI().getRawPath();
      Map<String, String> query = parseQuery(ex.getRequestURI().getRawQuery());
      List<String> segments = new ArrayList<>();
      for (String s : rawPath.split("/", -1)) {
        if (!s.isEmpty()) {
          segments.add(percentDecode(s));
        }
      }
      String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
      String override = header(ex, "X-HTTP-Method-Override");
      if (method.equals("POST") && override != null) {
        method = override.toUpperCase(Locale.ROOT); // how the HTTP client sends PATCH
      }
      log.add(new Request(method, "/" + String.join("/", segments), query));
      try {
        route(ex, method, segments, query);
      } catch (GcsError e) {
        sendError(ex, e);
      } catch (RuntimeException e) {
        sendError(ex, new GcsError(500, "backendError", "fake: " + e));
      }
    }
  }

  private void route(HttpExchange ex, String method, List<String> seg, Map<String, String> q)
      throws IOException {
    int n = seg.size();
    boolean upload = n >= 1 && seg.get(0).equals("upload");
    boolean download = n >= 1 && seg.get(0).equals("download");
    List<String> s = (upload || download) ? seg.subList(1, n) : seg;
    if (s.size() < 3 || !s.get(0).equals("storage") || !s.get(1).equals("v1")) {
      throw new GcsError(404, "notFound", "Not Found");
    }
    List<String> r = s.subList(2, s.size()); // after /storage/v1
    if (upload) {
      if (r.size() == 3 && r.get(0).equals("b") && r.get(2).equals("o")) {
        if (method.equals("POST")) {
          insertObject(ex, r.get(1), q);
          return;
        }
        if (method.equals("PUT")) {
          resumableChunk(ex, r.get(1), q);
          return;
        }
      }
      throw unsupported(method, r);
    }
    if (r.size() == 1 && r.get(0).equals("b")) {
      if (method.equals("POST")) {
        insertBucket(ex, q);
        return;
      }
      throw unsupported(method, r);
    }
    if (r.size() < 2 || !r.get(0).equals("b")) {
      throw unsupported(method, r);
    }
    String bucket = r.get(1);
    if (r.size() == 2) {
      switch (method) {
        case "GET" -> sendJson(ex, 200, bucketJson(requireBucket(bucket)));
        case "PATCH", "PUT" -> patchBucket(ex, bucket, q);
        default -> throw unsupported(method, r);
      }
      return;
    }
    String what = r.get(2);
    if (r.size() == 3 && what.equals("lockRetentionPolicy") && method.equals("POST")) {
      lockRetention(ex, bucket, q);
      return;
    }
    if (r.size() == 3 && what.equals("iam")) {
      switch (method) {
        case "GET" -> sendJson(ex, 200, iamJson(requireBucket(bucket)));
        case "PUT" -> setIam(ex, bucket);
        default -> throw unsupported(method, r);
      }
      return;
    }
    if (what.equals("o")) {
      if (r.size() == 3) {
        switch (method) {
          case "GET" -> listObjects(ex, bucket, q);
          case "POST" -> insertObject(ex, bucket, q); // simple upload to the non-upload path
          default -> throw unsupported(method, r);
        }
        return;
      }
      String object = String.join("/", r.subList(3, r.size()));
      switch (method) {
        case "GET" -> getObject(ex, bucket, object, q, download);
        case "DELETE" -> deleteObject(ex, bucket, object, q);
        default -> throw unsupported(method, r);
      }
      return;
    }
    throw unsupported(method, r);
  }

  private static GcsError unsupported(String method, List<String> path) {
    return new GcsError(
        501,
        "notImplemented",
        "fake Cloud Storage does not implement "
            + method
            + " /storage/v1/"
            + String.join("/", path));
  }

  // ---- buckets ----

  private Bucket requireBucket(String name) {
    synchronized (lock) {
      Bucket b = buckets.get(name);
      if (b == null) {
        throw GcsError.bucketNotFound(name);
      }
      return b;
    }
  }

  private void insertBucket(HttpExchange ex, Map<String, String> q) throws IOException {
    ObjectNode body = readJson(ex);
    String project = q.get("project");
    if (project == null || project.isEmpty()) {
      throw new GcsError(400, "required", "Required parameter: project");
    }
    String name = body.path("name").asText("");
    if (!name.matches("[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]")) {
      throw new GcsError(400, "invalid", "Invalid bucket name: '" + name + "'");
    }
    synchronized (lock) {
      if (buckets.containsKey(name)) {
        throw new GcsError(
            409,
            "conflict",
            "Your previous request to create the named bucket succeeded and you already own it.");
      }
      Bucket b =
          new Bucket(
              name, project, body.path("location").asText("US").toUpperCase(Locale.ROOT), now());
      applyBucketFields(b, body);
      defaultIam(b);
      buckets.put(name, b);
      sendJson(ex, 200, bucketJson(b));
    }
  }

  private void patchBucket(HttpExchange ex, String name, Map<String, String> q) throws IOException {
    ObjectNode body = readJson(ex);
    synchronized (lock) {
      Bucket b = requireBucket(name);
      checkMetageneration(b, q);
      applyBucketFields(b, body);
      b.metageneration++;
      b.updated = now();
      sendJson(ex, 200, bucketJson(b));
    }
  }

  private void applyBucketFields(Bucket b, ObjectNode body) {
    if (body.has("retentionPolicy")) {
      JsonNode rp = body.get("retentionPolicy");
      Long seconds =
          rp.isNull() || !rp.hasNonNull("retentionPeriod")
              ? null
              : rp.get("retentionPeriod").asLong();
      if (seconds != null && (seconds <= 0 || seconds > 3_155_760_000L)) {
        throw GcsError.badRequest("Invalid argument: retentionPeriod " + seconds);
      }
      if (b.retentionLocked) {
        if (seconds == null) {
          throw new GcsError(
              403, "forbidden", "Cannot remove a locked retention policy of bucket " + b.name);
        }
        if (seconds < b.retentionSeconds) {
          throw new GcsError(
              403,
              "forbidden",
              "Cannot reduce the retention period of a locked retention policy of bucket "
                  + b.name);
        }
      }
      if (seconds == null) {
        b.retentionSeconds = null;
        b.retentionEffective = null;
      } else if (!seconds.equals(b.retentionSeconds)) {
        b.retentionSeconds = seconds;
        b.retentionEffective = now();
      }
    }
    JsonNode iamc = body.path("iamConfiguration");
    if (iamc.isObject()) {
      JsonNode ubla = iamc.path("uniformBucketLevelAccess");
      if (!ubla.isObject()) {
        ubla = iamc.path("bucketPolicyOnly");
      }
      if (ubla.has("enabled")) {
        boolean enabled = ubla.get("enabled").asBoolean();
        if (enabled && !b.uniformAccess) {
          b.uniformAccessLockTime = now().plus(Duration.ofDays(90));
        }
        b.uniformAccess = enabled;
      }
      if (iamc.hasNonNull("publicAccessPrevention")) {
        String pap = iamc.get("publicAccessPrevention").asText();
        if (!pap.equals("enforced") && !pap.equals("inherited") && !pap.equals("unspecified")) {
          throw GcsError.badRequest("Invalid argument: publicAccessPrevention " + pap);
        }
        b.publicAccessPrevention = pap.equals("unspecified") ? "inherited" : pap;
      }
    }
    JsonNode labels = body.path("labels");
    if (labels.isObject()) {
      labels.properties().forEach(e -> b.labels.put(e.getKey(), e.getValue().asText()));
    }
  }

  private void lockRetention(HttpExchange ex, String name, Map<String, String> q)
      throws IOException {
    synchronized (lock) {
      Bucket b = requireBucket(name);
      if (!q.containsKey("ifMetagenerationMatch")) {
        throw new GcsError(400, "required", "Required parameter: ifMetagenerationMatch");
      }
      checkMetageneration(b, q);
      if (b.retentionSeconds == null) {
        throw GcsError.badRequest("Bucket " + name + " has no retention policy to lock.");
      }
      if (!b.retentionLocked) {
        b.retentionLocked = true;
        b.metageneration++;
        b.updated = now();
      }
      sendJson(ex, 200, bucketJson(b));
    }
  }

  private static void checkMetageneration(Bucket b, Map<String, String> q) {
    String m = q.get("ifMetagenerationMatch");
    if (m != null && Long.parseLong(m) != b.metageneration) {
      throw GcsError.preconditionFailed();
    }
    String nm = q.get("ifMetagenerationNotMatch");
    if (nm != null && Long.parseLong(nm) == b.metageneration) {
      throw new GcsError(304, "notModified", "Not Modified");
    }
  }

  private ObjectNode bucketJson(Bucket b) {
    ObjectNode j = JSON.createObjectNode();
    j.put("kind", "storage#bucket");
    j.put("id", b.name);
    j.put("selfLink", endpoint + "/storage/v1/b/" + b.name);
    j.put("projectNumber", projectNumber(b.project));
    j.put("name", b.name);
    j.put("timeCreated", RFC3339.format(b.created));
    j.put("updated", RFC3339.format(b.updated));
    j.put("metageneration", Long.toString(b.metageneration));
    j.put("location", b.location);
    j.put("locationType", "region");
    j.put("storageClass", "STANDARD");
    j.put("etag", etag(b.metageneration));
    ObjectNode iamc = j.putObject("iamConfiguration");
    for (String field : List.of("bucketPolicyOnly", "uniformBucketLevelAccess")) {
      ObjectNode u = iamc.putObject(field);
      u.put("enabled", b.uniformAccess);
      if (b.uniformAccess) {
        u.put("lockedTime", RFC3339.format(b.uniformAccessLockTime));
      }
    }
    iamc.put("publicAccessPrevention", b.publicAccessPrevention);
    if (b.retentionSeconds != null) {
      ObjectNode rp = j.putObject("retentionPolicy");
      rp.put("retentionPeriod", Long.toString(b.retentionSeconds));
      rp.put("effectiveTime", RFC3339.format(b.retentionEffective));
      if (b.retentionLocked) {
        rp.put("isLocked", true);
      }
    }
    if (!b.labels.isEmpty()) {
      ObjectNode l = j.putObject("labels");
      b.labels.forEach(l::put);
    }
    return j;
  }

  private static String projectNumber(String project) {
    return Long.toString(
        Math.floorMod((long) project.hashCode(), 900_000_000_000L) + 100_000_000_000L);
  }

  private static String etag(long n) {
    return Base64.getEncoder().encodeToString(ByteBuffer.allocate(8).putLong(n).array());
  }

  // ---- bucket IAM ----

  private void defaultIam(Bucket b) {
    // What Cloud Storage puts on a new bucket: the project's convenience groups.
    b.iam.put(
        "roles/storage.legacyBucketOwner",
        new LinkedHashSet<>(List.of("projectEditor:" + b.project, "projectOwner:" + b.project)));
    b.iam.put(
        "roles/storage.legacyBucketReader",
        new LinkedHashSet<>(List.of("projectViewer:" + b.project)));
    b.iamEtag = policyEtag++;
  }

  private ObjectNode iamJson(Bucket b) {
    ObjectNode j = JSON.createObjectNode();
    j.put("kind", "storage#policy");
    j.put("resourceId", "projects/_/buckets/" + b.name);
    j.put("version", 1);
    j.put("etag", etag(b.iamEtag));
    ArrayNode bindings = j.putArray("bindings");
    b.iam.forEach(
        (role, members) -> {
          if (!members.isEmpty()) {
            ObjectNode bind = bindings.addObject();
            bind.put("role", role);
            ArrayNode m = bind.putArray("members");
            members.forEach(m::add);
          }
        });
    return j;
  }

  private void setIam(HttpExchange ex, String name) throws IOException {
    ObjectNode body = readJson(ex);
    synchronized (lock) {
      Bucket b = requireBucket(name);
      if (body.hasNonNull("etag") && !body.get("etag").asText().equals(etag(b.iamEtag))) {
        throw GcsError.preconditionFailed();
      }
      Map<String, Set<String>> next = new LinkedHashMap<>();
      for (JsonNode bind : body.path("bindings")) {
        String role = bind.path("role").asText("");
        if (!role.startsWith("roles/") && !role.startsWith("projects/")) {
          throw GcsError.badRequest("Role " + role + " is not supported for this resource.");
        }
        for (JsonNode m : bind.path("members")) {
          String member = m.asText();
          if (member.equals("allUsers") || member.equals("allAuthenticatedUsers")) {
            if (b.publicAccessPrevention.equals("enforced")) {
              throw new GcsError(
                  412,
                  "conditionNotMet",
                  "One or more users named in the policy do not belong to a permitted customer, "
                      + " perhaps due to an organization policy.");
            }
          }
          next.computeIfAbsent(role, k -> new LinkedHashSet<>()).add(member);
        }
      }
      b.iam.clear();
      b.iam.putAll(next);
      b.iamEtag = policyEtag++;
      sendJson(ex, 200, iamJson(b));
    }
  }

  // ---- objects ----

  private void insertObject(HttpExchange ex, String bucket, Map<String, String> q)
      throws IOException {
    String type = q.getOrDefault("uploadType", "media");
    byte[] body = readBody(ex);
    String contentType = header(ex, "Content-Type");
    switch (type) {
      case "media" -> {
        ObjectNode meta = JSON.createObjectNode();
        if (contentType != null) {
          meta.put("contentType", contentType);
        }
        String objectName = q.get("name");
        if (objectName == null) {
          throw new GcsError(400, "required", "Required parameter: name");
        }
        meta.put("name", objectName);
        sendCommitted(ex, commitObject(bucket, meta, body, q));
      }
      case "multipart" -> {
        List<Multipart.Part> parts =
            Multipart.parse(body, Multipart.boundary(contentType == null ? "" : contentType));
        if (parts.size() != 2) {
          throw GcsError.badRequest("multipart upload needs 2 parts, got " + parts.size());
        }
        ObjectNode meta = (ObjectNode) JSON.readTree(parts.get(0).body());
        if (!meta.hasNonNull("contentType") && parts.get(1).headers().containsKey("content-type")) {
          meta.put("contentType", parts.get(1).headers().get("content-type"));
        }
        if (q.containsKey("name")) {
          meta.put("name", q.get("name"));
        }
        sendCommitted(ex, commitObject(bucket, meta, parts.get(1).body(), q));
      }
      case "resumable" -> {
        ObjectNode meta =
            body.length == 0 ? JSON.createObjectNode() : (ObjectNode) JSON.readTree(body);
        if (q.containsKey("name")) {
          meta.put("name", q.get("name"));
        }
        if (!meta.hasNonNull("contentType") && header(ex, "X-Upload-Content-Type") != null) {
          meta.put("contentType", header(ex, "X-Upload-Content-Type"));
        }
        // Like Cloud Storage: preconditions are not checked when the session starts, only when
        // the upload completes; the session URI carries the original parameters.
        String id = HexFormat.of().formatHex(randomBytes(16));
        synchronized (lock) {
          requireBucket(bucket);
          sessions.put(id, new Session(bucket, meta, preconditions(q)));
        }
        StringBuilder location =
            new StringBuilder(endpoint)
                .append("/upload/storage/v1/b/")
                .append(encodePath(bucket))
                .append("/o?");
        q.forEach(
            (k, v) ->
                location
                    .append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                    .append('=')
                    .append(URLEncoder.encode(v, StandardCharsets.UTF_8))
                    .append('&'));
        ex.getResponseHeaders()
            .add("Location", location.append("upload_id=").append(id).toString());
        ex.getResponseHeaders().add("X-GUploader-UploadID", id);
        ex.sendResponseHeaders(200, -1);
      }
      default -> throw GcsError.badRequest("Invalid uploadType: " + type);
    }
  }

  private void resumableChunk(HttpExchange ex, String bucket, Map<String, String> q)
      throws IOException {
    byte[] body = readBody(ex);
    String id = q.get("upload_id");
    Session s;
    synchronized (lock) {
      s = id == null ? null : sessions.get(id);
    }
    if (s == null || !s.bucket.equals(bucket)) {
      throw new GcsError(404, "notFound", "No such upload session: " + id);
    }
    synchronized (s) {
      if (s.completed != null) {
        sendJson(ex, 200, s.completed);
        return;
      }
      String cr = header(ex, "Content-Range");
      Matcher m = CONTENT_RANGE.matcher(cr == null ? "" : cr.trim());
      if (!m.matches()) {
        throw GcsError.badRequest("Invalid Content-Range: " + cr);
      }
      long persisted = s.data.size();
      if (m.group(1) != null) {
        long first = Long.parseLong(m.group(1));
        long last = Long.parseLong(m.group(2));
        if (last - first + 1 != body.length) {
          throw GcsError.badRequest("Content-Range " + cr + " does not match " + body.length);
        }
        if (first > persisted) {
          throw GcsError.badRequest(
              "Invalid request. There were " + persisted + " byte(s) persisted; got " + cr);
        }
        int skip = (int) (persisted - first); // a resent range: keep what we have
        if (skip < body.length) {
          s.data.write(body, skip, body.length - skip);
        }
      } else if (body.length != 0) {
        throw GcsError.badRequest("Content-Range " + cr + " with a body");
      }
      String total = m.group(3);
      long size = s.data.size();
      if (!total.equals("*") && Long.parseLong(total) == size) {
        s.completed = commitObject(bucket, s.metadata, s.data.toByteArray(), s.preconditions);
        sendCommitted(ex, s.completed);
        return;
      }
      if (!total.equals("*") && Long.parseLong(total) < size) {
        throw GcsError.badRequest("Content-Range total " + total + " below " + size);
      }
      if (size > 0) {
        ex.getResponseHeaders().add("Range", "bytes=0-" + (size - 1));
      }
      ex.getResponseHeaders().add("X-GUploader-UploadID", id);
      ex.sendResponseHeaders(308, -1);
    }
  }

  private static Map<String, String> preconditions(Map<String, String> q) {
    Map<String, String> p = new LinkedHashMap<>();
    for (String k : List.of("ifGenerationMatch", "ifGenerationNotMatch")) {
      if (q.containsKey(k)) {
        p.put(k, q.get(k));
      }
    }
    return p;
  }

  private static void checkObjectPreconditions(Bucket b, String name, Map<String, String> q) {
    StoredObject existing = b.objects.get(name);
    long gen = existing == null ? 0 : existing.generation();
    String match = q.get("ifGenerationMatch");
    if (match != null && Long.parseLong(match) != gen) {
      throw GcsError.preconditionFailed();
    }
    String notMatch = q.get("ifGenerationNotMatch");
    if (notMatch != null && Long.parseLong(notMatch) == gen) {
      throw GcsError.preconditionFailed();
    }
  }

  /** Answers a committed write, unless the injected fault loses the response. */
  private void sendCommitted(HttpExchange ex, ObjectNode json) throws IOException {
    if (takeFault(Fault.LOSE_NEXT_WRITE_RESPONSE)) {
      throw new GcsError(503, "backendError", "fake: injected lost response");
    }
    sendJson(ex, 200, json);
  }

  private boolean takeFault(Fault f) {
    synchronized (lock) {
      if (fault != f) {
        return false;
      }
      fault = Fault.NONE;
      return true;
    }
  }

  /** A digest the client sent must match the bytes, as Cloud Storage checks it. */
  private static void checkDigest(ObjectNode meta, String field, String label, String actual) {
    if (meta.hasNonNull(field) && !meta.get(field).asText().equals(actual)) {
      throw GcsError.badRequest(
          "Provided "
              + label
              + " \""
              + meta.get(field).asText()
              + "\" doesn't match calculated "
              + label
              + " \""
              + actual
              + "\".");
    }
  }

  /** Commits an object and returns its JSON. */
  private ObjectNode commitObject(
      String bucket, ObjectNode meta, byte[] bytes, Map<String, String> q) {
    String name = meta.path("name").asText("");
    if (name.isEmpty() || name.length() > 1024 || name.contains("\r") || name.contains("\n")) {
      throw new GcsError(400, "invalid", "Invalid object name: '" + name + "'");
    }
    checkDigest(meta, "crc32c", "CRC32C", Hashes.crc32cBase64(bytes));
    checkDigest(meta, "md5Hash", "MD5 hash", Hashes.md5Base64(bytes));
    if (takeFault(Fault.UNAVAILABLE_NEXT_WRITE)) {
      throw new GcsError(503, "backendError", "fake: injected unavailability");
    }
    synchronized (lock) {
      Bucket b = requireBucket(bucket);
      checkObjectPreconditions(b, name, q);
      StoredObject existing = b.objects.get(name);
      if (existing != null) {
        refuseUnderRetention(b, existing);
      }
      Map<String, String> metadata = new TreeMap<>();
      meta.path("metadata")
          .properties()
          .forEach(e -> metadata.put(e.getKey(), e.getValue().asText()));
      StoredObject o =
          new StoredObject(
              name,
              ++nextGeneration,
              bytes,
              meta.path("contentType").asText("application/octet-stream"),
              now(),
              metadata);
      b.objects.put(name, o);
      return objectJson(b, o);
    }
  }

  private void refuseUnderRetention(Bucket b, StoredObject o) {
    Instant until = retentionExpiry(b, o);
    if (until != null && now().isBefore(until)) {
      throw new GcsError(
          403,
          "retentionPolicyNotMet",
          "Object '"
              + b.name
              + "/"
              + o.name()
              + "' is subject to bucket's retention policy or object retention and cannot be"
              + " deleted or overwritten until "
              + RETENTION_UNTIL.format(until));
    }
  }

  private static Instant retentionExpiry(Bucket b, StoredObject o) {
    return b.retentionSeconds == null ? null : o.created().plusSeconds(b.retentionSeconds);
  }

  private ObjectNode objectJson(Bucket b, StoredObject o) {
    ObjectNode j = JSON.createObjectNode();
    String path = encodePath(b.name) + "/o/" + encodePath(o.name());
    j.put("kind", "storage#object");
    j.put("id", b.name + "/" + o.name() + "/" + o.generation());
    j.put("selfLink", endpoint + "/storage/v1/b/" + path);
    j.put(
        "mediaLink",
        endpoint
            + "/download/storage/v1/b/"
            + path
            + "?generation="
            + o.generation()
            + "&alt=media");
    j.put("name", o.name());
    j.put("bucket", b.name);
    j.put("generation", Long.toString(o.generation()));
    j.put("metageneration", "1");
    j.put("contentType", o.contentType());
    j.put("storageClass", "STANDARD");
    j.put("size", Long.toString(o.bytes().length));
    j.put("md5Hash", Hashes.md5Base64(o.bytes()));
    j.put("crc32c", Hashes.crc32cBase64(o.bytes()));
    j.put("etag", etag(o.generation()));
    j.put("timeCreated", RFC3339.format(o.created()));
    j.put("updated", RFC3339.format(o.created()));
    j.put("timeStorageClassUpdated", RFC3339.format(o.created()));
    Instant until = retentionExpiry(b, o);
    if (until != null) {
      j.put("retentionExpirationTime", RFC3339.format(until));
    }
    if (!o.metadata().isEmpty()) {
      ObjectNode m = j.putObject("metadata");
      o.metadata().forEach(m::put);
    }
    return j;
  }

  private void getObject(
      HttpExchange ex, String bucket, String name, Map<String, String> q, boolean download)
      throws IOException {
    StoredObject o;
    ObjectNode json;
    synchronized (lock) {
      Bucket b = requireBucket(bucket);
      o = b.objects.get(name);
      if (o == null
          || (q.containsKey("generation")
              && Long.parseLong(q.get("generation")) != o.generation())) {
        throw GcsError.notFound(bucket + "/" + name);
      }
      checkObjectPreconditions(b, name, q);
      json = objectJson(b, o);
    }
    if (!download && !"media".equals(q.get("alt"))) {
      sendJson(ex, 200, json);
      return;
    }
    byte[] bytes = o.bytes();
    var h = ex.getResponseHeaders();
    h.add("Content-Type", o.contentType());
    h.add("x-goog-generation", Long.toString(o.generation()));
    h.add("x-goog-metageneration", "1");
    h.add("x-goog-stored-content-length", Long.toString(bytes.length));
    h.add("x-goog-hash", "crc32c=" + Hashes.crc32cBase64(bytes));
    h.add("x-goog-hash", "md5=" + Hashes.md5Base64(bytes));
    h.add("ETag", json.get("etag").asText());
    String range = header(ex, "Range");
    Matcher m = RANGE.matcher(range == null ? "" : range.trim());
    if (m.matches()) {
      long first = Long.parseLong(m.group(1));
      long last = m.group(2).isEmpty() ? bytes.length - 1L : Long.parseLong(m.group(2));
      if (first >= bytes.length && bytes.length > 0) {
        throw new GcsError(416, "requestedRangeNotSatisfiable", "Request range not satisfiable");
      }
      last = Math.min(last, bytes.length - 1L);
      if (first == 0 && last == bytes.length - 1L) {
        sendBytes(ex, 200, bytes);
        return;
      }
      h.add("Content-Range", "bytes " + first + "-" + last + "/" + bytes.length);
      byte[] part = new byte[(int) Math.max(0, last - first + 1)];
      System.arraycopy(bytes, (int) first, part, 0, part.length);
      sendBytes(ex, 206, part);
      return;
    }
    sendBytes(ex, 200, bytes);
  }

  private void deleteObject(HttpExchange ex, String bucket, String name, Map<String, String> q)
      throws IOException {
    synchronized (lock) {
      Bucket b = requireBucket(bucket);
      StoredObject o = b.objects.get(name);
      if (o == null) {
        throw GcsError.notFound(bucket + "/" + name);
      }
      checkObjectPreconditions(b, name, q);
      refuseUnderRetention(b, o);
      b.objects.remove(name);
    }
    ex.sendResponseHeaders(204, -1);
  }

  private void listObjects(HttpExchange ex, String bucket, Map<String, String> q)
      throws IOException {
    String prefix = q.getOrDefault("prefix", "");
    String delimiter = q.get("delimiter");
    int max = q.containsKey("maxResults") ? Integer.parseInt(q.get("maxResults")) : DEFAULT_PAGE;
    if (max <= 0) {
      throw GcsError.badRequest("Invalid argument: maxResults " + max);
    }
    max = Math.min(max, DEFAULT_PAGE);
    String after =
        q.containsKey("pageToken")
            ? new String(Base64.getUrlDecoder().decode(q.get("pageToken")), StandardCharsets.UTF_8)
            : null;
    ObjectNode j = JSON.createObjectNode();
    j.put("kind", "storage#objects");
    synchronized (lock) {
      Bucket b = requireBucket(bucket);
      NavigableMap<String, StoredObject> tail =
          after == null ? b.objects.tailMap(prefix, true) : b.objects.tailMap(after, false);
      ArrayNode items = JSON.createArrayNode();
      Set<String> prefixes = new LinkedHashSet<>();
      int count = 0;
      String last = null;
      boolean more = false;
      for (StoredObject o : tail.values()) {
        if (!o.name().startsWith(prefix)) {
          break;
        }
        if (count == max) {
          more = true;
          break;
        }
        String rest = o.name().substring(prefix.length());
        int d = delimiter == null || delimiter.isEmpty() ? -1 : rest.indexOf(delimiter);
        if (d >= 0) {
          String p = prefix + rest.substring(0, d + delimiter.length());
          if (prefixes.add(p)) {
            count++;
          }
        } else {
          items.add(objectJson(b, o));
          count++;
        }
        last = o.name();
      }
      if (!items.isEmpty()) {
        j.set("items", items);
      }
      if (!prefixes.isEmpty()) {
        ArrayNode p = j.putArray("prefixes");
        prefixes.forEach(p::add);
      }
      if (more && last != null) {
        j.put(
            "nextPageToken",
            Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(last.getBytes(StandardCharsets.UTF_8)));
      }
    }
    sendJson(ex, 200, j);
  }

  // ---- helpers ----

  private static String header(HttpExchange ex, String name) {
    return ex.getRequestHeaders().getFirst(name);
  }

  private static byte[] readBody(HttpExchange ex) throws IOException {
    InputStream in = ex.getRequestBody();
    byte[] raw = in.readAllBytes();
    String enc = header(ex, "Content-Encoding");
    if (enc != null && enc.toLowerCase(Locale.ROOT).contains("gzip")) {
      try (InputStream gz = new GZIPInputStream(new ByteArrayInputStream(raw))) {
        return gz.readAllBytes();
      }
    }
    return raw;
  }

  private static ObjectNode readJson(HttpExchange ex) throws IOException {
    byte[] body = readBody(ex);
    if (body.length == 0) {
      return JSON.createObjectNode();
    }
    JsonNode n;
    try {
      n = JSON.readTree(body);
    } catch (IOException e) {
      throw GcsError.badRequest("Parse Error");
    }
    if (!n.isObject()) {
      throw GcsError.badRequest("Parse Error");
    }
    return (ObjectNode) n;
  }

  private static void sendJson(HttpExchange ex, int status, JsonNode body) throws IOException {
    ex.getResponseHeaders().add("Content-Type", "application/json; charset=UTF-8");
    sendBytes(ex, status, JSON.writeValueAsBytes(body));
  }

  private static void sendBytes(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static void sendError(HttpExchange ex, GcsError e) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode err = root.putObject("error");
    err.put("code", e.status);
    err.put("message", e.getMessage());
    ObjectNode item = err.putArray("errors").addObject();
    item.put("message", e.getMessage());
    item.put("domain", "global");
    item.put("reason", e.reason);
    if (e.status == 304) {
      ex.sendResponseHeaders(304, -1);
      return;
    }
    sendJson(ex, e.status, root);
  }

  private static Map<String, String> parseQuery(String raw) {
    Map<String, String> q = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return q;
    }
    for (String pair : raw.split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      q.put(
          URLDecoder.decode(k, StandardCharsets.UTF_8),
          URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return q;
  }

  /** Percent-decoding of a path segment ({@code +} stays a plus, unlike a query). */
  private static String percentDecode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String encodePath(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
