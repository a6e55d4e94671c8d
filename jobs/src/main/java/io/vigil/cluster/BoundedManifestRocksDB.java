package io.vigil.cluster;

import java.util.Collection;
import org.apache.flink.state.rocksdb.RocksDBOptionsFactory;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;

/**
 * RocksDB options of the cluster ({@code state.backend.rocksdb.options-factory} in flink-conf/config.yaml): each
 * operator's RocksDB starts a fresh MANIFEST once its MANIFEST passes {@link #MAX_MANIFEST_BYTES}.
 *
 * <p>Why: RocksDB appends a record to the MANIFEST at every flush and compaction, and an incremental checkpoint flushes
 * every column family, then uploads the MANIFEST whole (it is private state, not a shared SST file). RocksDB only starts
 * a new one past {@code max_manifest_file_size}, 1 GB by default, and Flink sets no other value. In a one-hour soak
 * (docs/operations/soak.md) the job's live state stayed at about 630 KB while its MANIFEST files grew to over 1 MB and
 * every checkpoint grew by about 50 KB a minute. A new MANIFEST holds only the current files, a few KB here, so with
 * this bound a checkpoint's MANIFEST stays below 64 KB per operator instance, at the cost of rewriting a few KB every
 * few minutes. No Flink option sets it, hence this factory.
 */
public final class BoundedManifestRocksDB implements RocksDBOptionsFactory {
    private static final long serialVersionUID = 1L;

    static final long MAX_MANIFEST_BYTES = 64 * 1024;

    @Override
    public DBOptions createDBOptions(DBOptions currentOptions, Collection<AutoCloseable> handlesToClose) {
        return currentOptions.setMaxManifestFileSize(MAX_MANIFEST_BYTES);
    }

    @Override
    public ColumnFamilyOptions createColumnOptions(
            ColumnFamilyOptions currentOptions, Collection<AutoCloseable> handlesToClose) {
        return currentOptions;
    }
}
