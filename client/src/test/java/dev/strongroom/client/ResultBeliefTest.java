package dev.strongroom.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strongroom.contracts.records.StoreResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link StrongroomClient#believes}, every combination: which verified result ends a pending put.
 * Exactly one kind does — it names the put's record, tenant and published event, and its signer may
 * give its status (any from the data-service, REJECTED alone from the crypto-service). An answer to
 * another event with the same request id (another application's forged encrypt or store request, or
 * an earlier attempt of this request id) never does.
 */
class ResultBeliefTest {
  private static final String TENANT = "hooli";
  private static final String RECORD = "019ab0c0-1e00-7000-8000-0000000000a1";
  private static final String PUBLISHED = "019ab0c0-1e00-7000-8000-0000000000e1";
  private static final String DATA = StoreResult.DATA_SERVICE_SOURCE;
  private static final String CRYPTO = StoreResult.CRYPTO_SERVICE_SOURCE;

  /** The event a result names: the one published, another one, or none. */
  private enum Names {
    PUBLISHED_EVENT("019ab0c0-1e00-7000-8000-0000000000e1"),
    FORGERS_EVENT("019ab0c0-1e00-7000-8000-0000000000f9"),
    EARLIER_ATTEMPT("019ab0c0-1e00-7000-8000-0000000000d0"),
    NO_EVENT(null);

    final String id;

    Names(String id) {
      this.id = id;
    }
  }

  @Test
  void everyCombination_onlyTheAnswerToThePublishedEventFromAnAllowedSigner_isBelieved() {
    List<String> believed = new ArrayList<>();
    int combinations = 0;
    for (StoreResult.Status status : StoreResult.Status.values()) {
      for (String source : List.of(DATA, CRYPTO, "/apps/other-app", "/strongroom/proof-service")) {
        for (Names names : Names.values()) {
          for (String record : List.of(RECORD, "019ab0c0-1e00-7000-8000-0000000000a2")) {
            for (Optional<String> subject :
                List.of(Optional.of(TENANT), Optional.of("globex"), Optional.<String>empty())) {
              StoreResult result =
                  new StoreResult(
                      "req-1",
                      record,
                      status,
                      status == StoreResult.Status.REJECTED ? "SR-TOKEN-CNF" : null,
                      names.id);
              combinations++;
              if (StrongroomClient.believes(TENANT, RECORD, PUBLISHED, result, source, subject)) {
                believed.add(
                    status
                        + " "
                        + source
                        + " "
                        + names
                        + " "
                        + (record.equals(RECORD) ? "record" : "other-record")
                        + " "
                        + subject.orElse("-"));
              }
            }
          }
        }
      }
    }
    assertEquals(3 * 4 * 4 * 2 * 3, combinations);
    assertEquals(
        List.of(
            "STORED /strongroom/data-service PUBLISHED_EVENT record hooli",
            "DUPLICATE /strongroom/data-service PUBLISHED_EVENT record hooli",
            "REJECTED /strongroom/data-service PUBLISHED_EVENT record hooli",
            "REJECTED /strongroom/crypto-service PUBLISHED_EVENT record hooli"),
        believed);
  }

  @Test
  void dataServiceRejectedOfAForgedStoreRequest_withTheVictimsIds_isNotBelieved() {
    StoreResult forged =
        new StoreResult(
            "req-1", RECORD, StoreResult.Status.REJECTED, "SR-TOKEN-CNF", Names.FORGERS_EVENT.id);
    assertEquals(
        false,
        StrongroomClient.believes(TENANT, RECORD, PUBLISHED, forged, DATA, Optional.of(TENANT)));
  }

  @Test
  void resultOfADataServiceThatNamesNoEvent_isNotBelieved() {
    StoreResult old = new StoreResult("req-1", RECORD, StoreResult.Status.STORED, null);
    assertEquals(
        false,
        StrongroomClient.believes(TENANT, RECORD, PUBLISHED, old, DATA, Optional.of(TENANT)));
  }
}
