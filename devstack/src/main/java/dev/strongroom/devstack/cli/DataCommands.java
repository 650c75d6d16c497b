package dev.strongroom.devstack.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.f4b6a3.uuid.UuidCreator;
import dev.strongroom.client.FieldTooLargeException;
import dev.strongroom.client.RefusedException;
import dev.strongroom.client.StrongroomClient;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.records.StoreRequest;
import dev.strongroom.contracts.records.StoreResult;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.devstack.keys.DevKeys;
import dev.strongroom.devstack.stack.StackClients;
import dev.strongroom.devstack.stack.StackDescriptor;
import dev.strongroom.devstack.stack.StackException;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code put}, {@code get} and {@code load} (DESIGN §7): the data plane driven through the client
 * library as the stack's demo application ({@code demo-app}: its mutual-TLS identity on Kafka and
 * HTTPS, its event signing key), with tenant tokens from the stack's tenant authority.
 */
final class DataCommands {
  private DataCommands() {}

  /** A client library instance on the running stack, acting as {@code demo-app}. */
  static StrongroomClient client(StrongroomCommand root, String purpose) throws IOException {
    if (!Files.exists(root.launcher().stackFile())) {
      throw new StackException("the stack is not up; run ./strongroom up");
    }
    StackDescriptor stack =
        StackDescriptor.fromJson(Files.readAllBytes(root.launcher().stackFile()));
    DevKeys keys = DevKeys.open(root.state().resolve("keys"));
    return StackClients.application(
        root.launcher().identity(PkiSpec.DEMO_APP), stack, keys, purpose);
  }

  static TenantTokens authority(StrongroomCommand root) {
    return DevKeys.open(root.state().resolve("keys")).tenantTokens(Clock.systemUTC());
  }

  /**
   * The certificate tokens are bound to: the application identity's ({@code demo-app}), the one the
   * client library presents to the crypto-service (docs/tenant-tokens.md).
   */
  static String applicationCertificate(StrongroomCommand root) {
    return TenantTokens.thumbprint(root.launcher().identity(PkiSpec.DEMO_APP).certificate());
  }

  @Command(
      name = "put",
      description = "Store one record for a tenant; prints the record id as its last line.")
  static final class Put implements java.util.concurrent.Callable<Integer> {
    /** A record id as store.requested.v1 takes it: a lowercase UUIDv7. */
    private static final java.util.regex.Pattern RECORD_ID =
        java.util.regex.Pattern.compile(
            "^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");

    @ParentCommand StrongroomCommand root;

    @Option(names = "--tenant", required = true, description = "Tenant id.")
    String tenant;

    @Option(
        names = "--field",
        required = true,
        arity = "1..*",
        paramLabel = "NAME=VALUE",
        description = "name=… (required), role=…, email=…, phone=…")
    List<String> fields;

    @Option(names = "--request-id", description = "Request id (default: a new one).")
    String requestId;

    @Option(
        names = "--record-id",
        paramLabel = "UUIDv7",
        description =
            "Record id (default: a new one). A retry of a --request-id repeats its record id: the"
                + " same request id with another record id is REJECTED SR-REQUEST-EXISTS.")
    String recordIdOption;

    @Option(names = "--timeout", description = "How long to wait for the result (default PT60S).")
    Duration timeout = Duration.ofSeconds(60);

    @Option(
        names = "--token",
        description =
            "Tenant token to send (default: a new one from the stack's tenant authority, for"
                + " --tenant). Visible in ps and shell history: prefer --token-file.")
    String token;

    @Option(
        names = "--token-file",
        paramLabel = "PATH",
        description =
            "Read the tenant token to send from PATH (its first line), so it never appears on a"
                + " command line. The file must be closed to other accounts (e.g. mode 0600).")
    Path tokenFile;

    @Override
    public Integer call() throws Exception {
      Map<String, String> values = new LinkedHashMap<>();
      for (String f : fields) {
        int eq = f.indexOf('=');
        String name = eq < 0 ? f : f.substring(0, eq);
        if (eq < 0 || !StoreRequest.FIELDS.contains(name) || values.containsKey(name)) {
          root.err.println(
              "strongroom: --field takes NAME=VALUE once per name, NAME one of "
                  + StoreRequest.FIELDS
                  + " (got '"
                  + name
                  + "')");
          return StrongroomCommand.USAGE;
        }
        values.put(name, f.substring(eq + 1));
      }
      if (!values.containsKey("name") || tenant.isBlank()) {
        root.err.println("strongroom: --tenant and --field name=… are required");
        return StrongroomCommand.USAGE;
      }
      try {
        StrongroomClient.requireStorable(values); // before anything is sealed or published
      } catch (FieldTooLargeException e) {
        root.err.println("strongroom: " + e.getMessage());
        return StrongroomCommand.USAGE;
      }
      if (token != null && tokenFile != null) {
        root.err.println("strongroom: give --token or --token-file, not both");
        return StrongroomCommand.USAGE;
      }
      if (tokenFile != null) {
        try {
          // a bearer token in a file others may read is a leaked token (ssh refuses such keys)
          String open = dev.strongroom.provisioner.os.SecureFiles.openToOthers(tokenFile);
          if (open != null) {
            root.err.println(
                "strongroom: --token-file "
                    + tokenFile
                    + " is open to other accounts (mode "
                    + open
                    + "): a tenant token is a bearer credential; chmod 600 it (and get a new"
                    + " token if others could read this one)");
            return StrongroomCommand.USAGE;
          }
          List<String> lines = Files.readAllLines(tokenFile, StandardCharsets.UTF_8);
          if (lines.isEmpty() || lines.get(0).isBlank()) {
            root.err.println("strongroom: --token-file " + tokenFile + " holds no token");
            return StrongroomCommand.USAGE;
          }
          token = lines.get(0).strip();
        } catch (IOException e) {
          root.err.println("strongroom: cannot read --token-file " + tokenFile + ": " + e);
          return StrongroomCommand.USAGE;
        }
      }
      String sent =
          token != null
              ? token
              : authority(root)
                  .issue(
                      tenant,
                      "operator",
                      TenantTokens.DEFAULT_LIFETIME,
                      applicationCertificate(root));
      if (recordIdOption != null && !RECORD_ID.matcher(recordIdOption).matches()) {
        root.err.println("strongroom: --record-id must be a lowercase UUIDv7");
        return StrongroomCommand.USAGE;
      }
      String recordId =
          recordIdOption != null ? recordIdOption : UuidCreator.getTimeOrderedEpoch().toString();
      String request = requestId != null ? requestId : "put-" + recordId;
      StoreResult r;
      try (StrongroomClient client = client(root, "put")) {
        r =
            client
                .put(request, tenant, sent, recordId, values)
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        root.err.println("strongroom: no result for request " + request + " within " + timeout);
        return StrongroomCommand.PROBLEM;
      }
      if (root.json) {
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        o.put("requestId", r.requestId());
        o.put("recordId", r.recordId());
        o.put("status", r.status().name());
        r.errorCodeIfRejected().ifPresent(c -> o.put("errorCode", c));
        root.printJson(o);
      } else if (r.status() == StoreResult.Status.REJECTED) {
        root.err.println("strongroom: REJECTED " + r.errorCodeIfRejected().orElse("(no code)"));
      } else {
        root.out.println(r.status().name().toLowerCase(Locale.ROOT) + " request " + r.requestId());
        root.out.println(r.recordId());
      }
      return r.status() == StoreResult.Status.REJECTED
          ? StrongroomCommand.PROBLEM
          : StrongroomCommand.OK;
    }
  }

  @Command(
      name = "get",
      description =
          "Read one record as a tenant (audited read, then decrypt); prints field=value lines.")
  static final class Get implements java.util.concurrent.Callable<Integer> {
    @ParentCommand StrongroomCommand root;

    @Option(names = "--tenant", required = true, description = "Tenant id the reader acts for.")
    String tenant;

    @Parameters(index = "0", paramLabel = "RECORD_ID", description = "The record id put printed.")
    String recordId;

    @Option(names = "--sub", description = "Reader recorded in the audit chain (default operator).")
    String subject = "operator";

    @Override
    public Integer call() throws Exception {
      if (tenant.isBlank() || recordId.isBlank()) {
        root.err.println("strongroom: --tenant and RECORD_ID must not be empty");
        return StrongroomCommand.USAGE;
      }
      String token =
          authority(root)
              .issue(tenant, subject, TenantTokens.DEFAULT_LIFETIME, applicationCertificate(root));
      Map<String, String> fields;
      try (StrongroomClient client = client(root, "get")) {
        fields = client.get(tenant, token, recordId);
      } catch (RefusedException e) {
        if (root.json) {
          ObjectNode o = CanonicalJson.mapper().createObjectNode();
          o.put("refused", e.code());
          o.put("status", e.status());
          o.put("detail", e.detail());
          root.printJson(o);
        }
        root.err.println("strongroom: refused: " + e.code() + ": " + e.detail());
        return StrongroomCommand.PROBLEM;
      }
      if (root.json) {
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        o.put("recordId", recordId);
        ObjectNode f = o.putObject("fields");
        fields.forEach(f::put);
        root.printJson(o);
      } else {
        fields.forEach((k, v) -> root.out.println(k + "=" + v));
      }
      return StrongroomCommand.OK;
    }
  }

  @Command(
      name = "load",
      description =
          "Publish N sealed records through the client library, wait for every result, print the"
              + " counts, throughput and latency.")
  static final class Load implements java.util.concurrent.Callable<Integer> {
    @ParentCommand StrongroomCommand root;

    @Option(
        names = "--tenant",
        required = true,
        description = "Tenant id (the prefix with --tenants).")
    String tenant;

    @Option(names = "--records", required = true, description = "How many records.")
    int records;

    @Option(
        names = "--tenants",
        description = "Spread over K tenants TENANT-1 … TENANT-K (default 1: TENANT alone).")
    int tenants = 1;

    @Option(
        names = "--in-flight",
        description = "Records awaiting their result at once (default 512).")
    int inFlight = 512;

    @Option(
        names = "--timeout",
        description = "Give up on results after this long without one arriving (default PT60S).")
    Duration idleTimeout = Duration.ofSeconds(60);

    @Override
    public Integer call() throws Exception {
      if (records < 1 || tenants < 1 || inFlight < 1 || tenant.isBlank()) {
        root.err.println("strongroom: --records, --tenants and --in-flight must be >= 1");
        return StrongroomCommand.USAGE;
      }
      TenantTokens authority = authority(root);
      List<String> names = new ArrayList<>();
      List<String> tokens = new ArrayList<>();
      for (int i = 1; i <= tenants; i++) {
        String t = tenants == 1 ? tenant : tenant + "-" + i;
        names.add(t);
        tokens.add(
            authority.issue(t, "load", TenantTokens.MAX_LIFETIME, applicationCertificate(root)));
      }
      LoadFigures figures;
      try (StrongroomClient client = client(root, "load")) {
        figures = run(client, names, tokens);
      }
      if (root.json) {
        root.printJson(figures.toJson());
      } else {
        root.out.print(figures.toText());
      }
      return figures.missing() == 0 && figures.rejected() == 0
          ? StrongroomCommand.OK
          : StrongroomCommand.PROBLEM;
    }

    private LoadFigures run(StrongroomClient client, List<String> names, List<String> tokens)
        throws InterruptedException {
      String runId = UuidCreator.getTimeOrderedEpoch().toString();
      Semaphore window = new Semaphore(inFlight);
      AtomicLong stored = new AtomicLong();
      AtomicLong duplicate = new AtomicLong();
      AtomicLong rejected = new AtomicLong();
      AtomicLong lastResult = new AtomicLong(System.nanoTime());
      long[] latencies = new long[records];
      Arrays.fill(latencies, -1);
      List<CompletableFuture<StoreResult>> all = new ArrayList<>(records);
      long t0 = System.nanoTime();
      for (int i = 0; i < records; i++) {
        while (!window.tryAcquire(1, TimeUnit.SECONDS)) {
          if (System.nanoTime() - lastResult.get() > idleTimeout.toNanos()) {
            break;
          }
        }
        int t = i % names.size();
        String tenantId = names.get(t);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("name", "Load Person " + i);
        fields.put("role", i % 2 == 0 ? "nurse" : "clerk");
        fields.put("email", "person" + i + "@" + tenantId + ".example");
        fields.put("phone", String.format(Locale.ROOT, "+44 20 7946 %04d", i % 10_000));
        long start = System.nanoTime();
        int idx = i;
        CompletableFuture<StoreResult> f =
            client.put(
                "load-" + runId + "-" + i,
                tenantId,
                tokens.get(t),
                UuidCreator.getTimeOrderedEpoch().toString(),
                fields);
        // allOf below waits for the callbacks too, so the counters are final when it completes
        all.add(
            f.whenComplete(
                (r, err) -> {
                  window.release();
                  long now = System.nanoTime();
                  lastResult.set(now);
                  if (r == null) {
                    return;
                  }
                  latencies[idx] = now - start;
                  switch (r.status()) {
                    case STORED -> stored.incrementAndGet();
                    case DUPLICATE -> duplicate.incrementAndGet();
                    case REJECTED -> rejected.incrementAndGet();
                    default -> {}
                  }
                }));
      }
      CompletableFuture<Void> done =
          CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]));
      while (!done.isDone()) {
        try {
          done.get(1, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          if (System.nanoTime() - lastResult.get() > idleTimeout.toNanos()) {
            break;
          }
        } catch (ExecutionException e) {
          break; // a publish failed: counted as missing below
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      long[] seen = Arrays.stream(latencies).filter(l -> l >= 0).sorted().toArray();
      List<String> missingIds = new ArrayList<>();
      for (int i = 0; i < records && missingIds.size() < MISSING_NAMED; i++) {
        if (latencies[i] < 0) {
          missingIds.add("load-" + runId + "-" + i);
        }
      }
      return new LoadFigures(
          records,
          names.size(),
          stored.get(),
          duplicate.get(),
          rejected.get(),
          records - seen.length,
          seconds,
          percentileMs(seen, 0.50),
          percentileMs(seen, 0.99),
          missingIds,
          client.unverifiedResults());
    }
  }

  /** How many missing request ids {@code load} names. */
  static final int MISSING_NAMED = 20;

  static double percentileMs(long[] sortedNanos, double q) {
    if (sortedNanos.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(q * sortedNanos.length) - 1;
    return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, i))] / 1e6;
  }

  /** What {@code load} prints (DESIGN §7's keys, then throughput and latency). */
  record LoadFigures(
      long records,
      int tenants,
      long stored,
      long duplicate,
      long rejected,
      long missing,
      double seconds,
      double p50Ms,
      double p99Ms,
      List<String> missingRequestIds,
      long unverifiedResults) {
    double recordsPerSecond() {
      return seconds > 0 ? (stored + duplicate + rejected) / seconds : 0;
    }

    ObjectNode toJson() {
      ObjectNode o = CanonicalJson.mapper().createObjectNode();
      o.put("records", records);
      o.put("tenants", tenants);
      o.put("stored", stored);
      o.put("duplicate", duplicate);
      o.put("rejected", rejected);
      o.put("missing", missing);
      o.put("seconds", round(seconds));
      o.put("recordsPerSecond", round(recordsPerSecond()));
      o.put("p50Ms", round(p50Ms));
      o.put("p99Ms", round(p99Ms));
      // beyond DESIGN §7's keys: which requests are missing (the first few), and results on the
      // topic the client did not believe (forged, stale, replayed) — where to look when one is
      ArrayNode missingIds = o.putArray("missingRequestIds");
      missingRequestIds.forEach(missingIds::add);
      o.put("unverifiedResults", unverifiedResults);
      return o;
    }

    String toText() {
      return String.format(
              Locale.ROOT,
              "records  %d (%d tenants)%nstored   %d%nduplicate %d%nrejected %d%nmissing  %d%n"
                  + "seconds  %.1f%nthroughput %.0f records/s%nlatency  p50 %.0f ms, p99 %.0f ms%n",
              records,
              tenants,
              stored,
              duplicate,
              rejected,
              missing,
              seconds,
              recordsPerSecond(),
              p50Ms,
              p99Ms)
          + (missingRequestIds.isEmpty()
              ? ""
              : "missing requests " + String.join(" ", missingRequestIds) + "\n")
          + (unverifiedResults == 0 ? "" : "unverified results " + unverifiedResults + "\n");
    }

    private static double round(double v) {
      return Math.round(v * 1000) / 1000.0;
    }
  }
}
