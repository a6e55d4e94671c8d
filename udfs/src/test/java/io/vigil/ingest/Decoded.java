package io.vigil.ingest;

import io.vigil.model.DeadLetter;
import io.vigil.model.Ingested;
import io.vigil.model.Telemetry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** What one decode call produced, split into telemetry and dead letters, for assertions. */
final class Decoded {
    final List<Telemetry> telemetry = new ArrayList<>();
    final List<DeadLetter> dead = new ArrayList<>();

    static Decoded of(String format, byte[] payload) {
        return of(Decoders.forFormat(format), payload);
    }

    static Decoded of(String format, String payload) {
        return of(format, payload.getBytes(StandardCharsets.UTF_8));
    }

    static Decoded of(TelemetryDecoder decoder, byte[] payload) {
        Decoded d = new Decoded();
        decoder.decode(payload, "test:1", (Ingested i) -> {
            if (i.isDead()) {
                d.dead.add(i.deadLetter);
            } else {
                d.telemetry.add(i.telemetry);
            }
        });
        return d;
    }

    Telemetry only() {
        if (telemetry.size() != 1 || !dead.isEmpty()) {
            throw new AssertionError("expected one record and no dead letters, got " + telemetry + " and " + dead);
        }
        return telemetry.get(0);
    }

    DeadLetter onlyDead() {
        if (dead.size() != 1 || !telemetry.isEmpty()) {
            throw new AssertionError("expected one dead letter and no records, got " + telemetry + " and " + dead);
        }
        return dead.get(0);
    }
}
