package io.vigil.suppress.kafka;

import io.vigil.kafka.KeyedUpdateDeserializer;
import io.vigil.suppress.Silence;
import io.vigil.suppress.SilenceUpdate;

/**
 * Reads the silence topic: key = silence id, value = the silence as JSON, a null or empty value = removed. A record
 * that cannot be a silence (no key, bad JSON, a bad matcher, a value whose id differs from its key) is logged with
 * where it is and why, and dropped: a bad record never fails the job, and the silence keeps its previous version.
 */
public final class SilenceUpdateDeserializer extends KeyedUpdateDeserializer<SilenceUpdate> {
    private static final long serialVersionUID = 1L;

    public SilenceUpdateDeserializer() {
        super(
                SilenceUpdate.class,
                "the silence topic is keyed by silence id",
                "silence",
                "; its previous version stays");
    }

    @Override
    protected SilenceUpdate removal(String id) {
        return SilenceUpdate.removal(id);
    }

    @Override
    protected SilenceUpdate parse(String id, String json) {
        Silence s = Silence.fromJson(json);
        if (!id.equals(s.id)) {
            throw new IllegalArgumentException("its id '" + s.id + "' is not its key");
        }
        return new SilenceUpdate(id, s);
    }
}
