package io.vigil.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** The options factory of the cluster configuration bounds RocksDB's MANIFEST, which checkpoints upload whole. */
class BoundedManifestRocksDBTest {
    @Test
    void theClusterConfigurationNamesTheFactory() throws IOException {
        String conf = Files.readString(Path.of("../flink-conf/config.yaml"));
        assertTrue(conf.contains("options-factory: " + BoundedManifestRocksDB.class.getName()), conf);
    }

    /** Many flushes, as checkpoints make them: with the factory's options the MANIFEST never passes the bound much. */
    @Test
    void aManifestStaysBoundedAcrossManyFlushes(@TempDir Path dir) throws Exception {
        RocksDB.loadLibrary();
        List<AutoCloseable> handles = new ArrayList<>();
        try (DBOptions db = new BoundedManifestRocksDB().createDBOptions(new DBOptions(), handles);
                ColumnFamilyOptions columns = new ColumnFamilyOptions();
                Options options = new Options(db, columns);
                FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            assertEquals(BoundedManifestRocksDB.MAX_MANIFEST_BYTES, db.maxManifestFileSize());
            options.setCreateIfMissing(true);
            long largest = 0;
            try (RocksDB rocks = RocksDB.open(options, dir.toString())) {
                for (int i = 0; i < 3000; i++) {
                    rocks.put(("key-" + (i % 50)).getBytes(), ("value-" + i).getBytes());
                    rocks.flush(flush); // one SST file and one MANIFEST record per flush
                    largest = Math.max(largest, manifestBytes(dir));
                }
            }
            // A MANIFEST is started afresh once it passes the bound, so it ends up at most about one record above it.
            assertTrue(largest < 2 * BoundedManifestRocksDB.MAX_MANIFEST_BYTES, "largest MANIFEST " + largest);
        }
    }

    private static long manifestBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("MANIFEST"))
                    .mapToLong(p -> p.toFile().length())
                    .max()
                    .orElse(0);
        }
    }
}
