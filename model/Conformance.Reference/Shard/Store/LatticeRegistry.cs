// The reference Confluence Edge's Lattice Registry on disk: one SQLite database (WAL, synchronous=FULL) plus two folders.
//   <root>/registry.db        entries, canonical heads, audit log, upload sessions and their received chunks
//   <root>/staging/<token>.part  a payload being uploaded (chunks written in place at their offsets)
//   <root>/blobs/<shard hash>    committed payloads, content-addressed
// Crash safety (SIGKILL at any moment): every change to the database is one SQLite transaction, so a registry entry, its
// canonical head, its audit record and its session's "committed" mark appear together or not at all. Files cannot join
// that transaction, so the order is chosen to make every crash point harmless:
// - A durable receipt never claims bytes that are not on disk. Chunks are written into the session's open staging file
//   without an fsync each; their receipts wait in memory (they count for the live session: Session reports them) and
//   are recorded in batches (ReceiptBatch): fsync the staging file first, then the batch's receipts in ONE transaction.
//   A crash loses the pending receipts only; resume then lists the durable ones and the node re-sends the rest, whose
//   bytes are simply written again at the same offsets.
// - A commit flushes the pending receipts (fsync, transaction), closes the staging file, then in its one transaction
//   moves the payload into blobs/ BEFORE that transaction commits: a crash in between leaves an orphan blob, never a
//   row without its blob. With synchronous=FULL the commit is on disk when Commit returns, before commit_ack is sent.
// Payloads never pass through memory here: they are streamed to and from files.
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Conformance.Model.Shard;
using Microsoft.Data.Sqlite;

namespace Conformance.Reference.Shard.Store;

public sealed partial class LatticeRegistry : IDisposable
{
    private const int CurrentSchema = 1;
    public const string DatabaseFile = "registry.db";

    // One connection, used from several threads: every public member takes this lock. Holding it across a chunk write
    // also keeps a commit from moving a staging file while a chunk is being written into it.
    private readonly Lock _gate = new();
    private readonly SqliteConnection _db;
    private readonly string _staging;
    private readonly string _blobs;
    private SqliteTransaction? _tx;
    private bool _disposed;
    private readonly ReceiptBatch _batch;
    private bool _powerSafe = true;
    // Sessions with chunks staged in this process: their open file and pending receipts (only sessions known to be open).
    private readonly Dictionary<string, StagedUpload> _staged = [];

    /// <summary>The directory holding registry.db, staging/ and blobs/.</summary>
    public string Root { get; }

    private LatticeRegistry(string root, SqliteConnection db, ReceiptBatch batch)
    {
        Root = root;
        _db = db;
        _batch = batch;
        _staging = Path.Combine(root, "staging");
        _blobs = Path.Combine(root, "blobs");
    }

    /// <summary>Opens (creating if needed) the registry at <paramref name="directory"/>; received-chunk records are made
    /// durable in batches of <paramref name="batch"/> (default <see cref="ReceiptBatch.Default"/>).</summary>
    /// <param name="powerSafe">
    /// Whether a commit and a batch of chunks are forced to the disk (synchronous=FULL, fsync) so they survive a power
    /// cut; without, they reach the operating system before the call returns, so they still survive a killed process,
    /// and WAL keeps every commit atomic. Only a throwaway registry (the suite's embedded edge in a temporary directory)
    /// is opened without.
    /// </param>
    public static LatticeRegistry Open(string directory, ReceiptBatch? batch = null, bool powerSafe = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var root = Path.GetFullPath(directory);
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(Path.Combine(root, "staging"));
        Directory.CreateDirectory(Path.Combine(root, "blobs"));
        var cs = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(root, DatabaseFile),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false, // Dispose really closes the file (a pooled connection would keep it open after Dispose)
        }.ToString();
        var db = new SqliteConnection(cs);
        try
        {
            db.Open();
            var registry = new LatticeRegistry(root, db, batch ?? ReceiptBatch.Default) { _powerSafe = powerSafe };
            registry.Initialise();
            return registry;
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    private void Initialise()
    {
        // WAL: a commit appends to the log and readers never see a half-applied transaction; synchronous=FULL fsyncs the
        // log at every commit, so a committed entry also survives a power cut, not only a killed process.
        var mode = Scalar("PRAGMA journal_mode=WAL;") as string;
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"SQLite refused WAL mode (journal_mode={mode})");
        Execute(_powerSafe ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
        Execute("PRAGMA foreign_keys=ON;");
        Execute("PRAGMA busy_timeout=5000;");
        InTransaction(write: true, () =>
        {
            Execute("""
                CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS entries (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    registry_id TEXT NOT NULL UNIQUE,
                    shard_id TEXT NOT NULL,
                    version_id TEXT NOT NULL,
                    previous_version_id TEXT,
                    shard_hash TEXT NOT NULL,
                    provenance TEXT NOT NULL,
                    timestamp TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
                    size INTEGER NOT NULL CHECK (size >= 0),
                    UNIQUE (shard_id, version_id));
                CREATE TABLE IF NOT EXISTS canonical_heads (
                    shard_id TEXT PRIMARY KEY,
                    version_id TEXT NOT NULL,
                    FOREIGN KEY (shard_id, version_id) REFERENCES entries (shard_id, version_id));
                CREATE TABLE IF NOT EXISTS audit (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    at TEXT NOT NULL,
                    action TEXT NOT NULL CHECK (action IN ('commit', 'rollback', 'override')),
                    shard_id TEXT NOT NULL,
                    version_id TEXT NOT NULL,
                    detail TEXT NOT NULL);
                CREATE INDEX IF NOT EXISTS audit_by_shard ON audit (shard_id, seq);
                CREATE TABLE IF NOT EXISTS sessions (
                    token TEXT PRIMARY KEY,
                    shard_id TEXT NOT NULL,
                    header_json TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('open', 'committed')));
                CREATE TABLE IF NOT EXISTS session_chunks (
                    token TEXT NOT NULL REFERENCES sessions (token),
                    idx INTEGER NOT NULL CHECK (idx >= 0),
                    leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),
                    PRIMARY KEY (token, idx)) WITHOUT ROWID;
                """);
            var version = Scalar("SELECT MAX(version) FROM schema_version;");
            if (version is null or DBNull) Execute("INSERT INTO schema_version (version) VALUES ($v);", ("$v", CurrentSchema));
            else if (Convert.ToInt64(version, CultureInfo.InvariantCulture) != CurrentSchema)
                throw new NotSupportedException($"registry schema version {version} is not supported (this build reads version {CurrentSchema})");
            return 0;
        });
    }

    // ---------------------------------------------------------------- registry

    public ShardView View(string shardId)
    {
        ArgumentException.ThrowIfNullOrEmpty(shardId);
        return InTransaction(write: false, () =>
        {
            var entries = new List<RegistryEntry>();
            using (var cmd = Command($"SELECT {EntryColumns} FROM entries WHERE shard_id = $s ORDER BY seq;", ("$s", shardId)))
            using (var r = cmd.ExecuteReader())
                while (r.Read()) entries.Add(ReadEntry(r));
            return new ShardView(shardId, CanonicalOf(shardId), entries);
        });
    }

    public RegistryEntry? Entry(string shardId, string versionId)
    {
        ArgumentException.ThrowIfNullOrEmpty(shardId);
        ArgumentException.ThrowIfNullOrEmpty(versionId);
        return InTransaction(write: false, () => FindEntry(shardId, versionId));
    }

    /// <summary>
    /// Commits the staged payload of session <c>r.Token</c> as a new active entry and canonical head, in one transaction.
    /// Throws <see cref="RegistryConflictException"/> (nothing written) if the shard's canonical version is not
    /// <c>r.ExpectedParent</c>, the version already exists, or the session is unknown, for another shard or already used;
    /// <see cref="InvalidOperationException"/> if there is no staged payload of <c>r.Size</c> bytes.
    /// </summary>
    public RegistryEntry Commit(CommitRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        CheckToken(r.Token);
        CheckHash(r.ShardHash);
        ArgumentException.ThrowIfNullOrEmpty(r.ShardId);
        ArgumentException.ThrowIfNullOrEmpty(r.VersionId);
        CheckJson(r.Provenance, nameof(r.Provenance));
        ArgumentOutOfRangeException.ThrowIfNegative(r.Size);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Settle(r.Token);
            return InTransaction(write: true, () =>
            {
                if (RegistrySessions.CommitRefusal(r.Token, SessionRow(r.Token), r.ShardId) is { } refused) throw new RegistryConflictException(refused);
                // Entries are never deleted, so MAX(seq)+1 is the AUTOINCREMENT value this row gets: a per-database sequence.
                var seq = Convert.ToInt64(Scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM entries;"), CultureInfo.InvariantCulture);
                var registryId = RegistryIds.Mint(r.ShardHash, seq);
                // The registry's rules are the model's (RegistryShard); this store only makes their outcome durable.
                var (next, refusal) = Rules(r.ShardId).Commit(r.VersionId, r.ExpectedParent, registryId, r.ShardHash, r.Size);
                if (refusal is not null) throw new RegistryConflictException(refusal);
                var entry = new RegistryEntry(registryId, r.ShardId, r.VersionId, r.ExpectedParent, r.ShardHash, r.Provenance, r.At, RegistryStatus.Active, r.Size);
                Execute($"INSERT INTO entries (seq, {EntryColumns}) VALUES ($seq, $rid, $s, $v, $p, $h, $prov, $t, $status, $size);",
                    ("$seq", seq), ("$status", RegistryStatus.Active), ("$rid", entry.RegistryId), ("$s", r.ShardId), ("$v", r.VersionId), ("$p", r.ExpectedParent),
                    ("$h", r.ShardHash), ("$prov", r.Provenance), ("$t", Time(r.At)), ("$size", r.Size));
                SetCanonical(r.ShardId, next.Canonical!);
                AppendAudit(r.At, r.ShardId, next.Audit[^1]);
                Execute("UPDATE sessions SET state = $state WHERE token = $k;", ("$state", SessionStatus.Committed), ("$k", r.Token));

                // Last step before COMMIT: put the payload in place. If the move fails, the transaction rolls back and the
                // staging file is untouched; if the process dies after the move, the blob is an orphan and the session is
                // still open, so a retried commit finds the blob already in place (PlaceBlob).
                PlaceBlob(r.Token, r.ShardHash, r.Size);
                return entry;
            });
        }
    }

    /// <summary>
    /// Marks an active entry inactive (never deletes it), in one transaction with its audit record. If it was the
    /// canonical version, the new canonical is its nearest active ancestor along PreviousVersionId links (or none);
    /// <c>Reinstated</c> is that ancestor, null when the canonical version did not change or no active ancestor exists.
    /// </summary>
    public (RegistryEntry RolledBack, string? Reinstated) Rollback(string shardId, string versionId, string reason, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrEmpty(shardId);
        ArgumentException.ThrowIfNullOrEmpty(versionId);
        ArgumentNullException.ThrowIfNull(reason);
        return InTransaction(write: true, () =>
        {
            var canonical = CanonicalOf(shardId);
            var (next, reinstated, refusal) = Rules(shardId).Rollback(versionId, reason);
            if (refusal is not null) throw new RegistryConflictException(refusal);
            var entry = FindEntry(shardId, versionId)!;
            Execute("UPDATE entries SET status = $status WHERE shard_id = $s AND version_id = $v;", ("$status", RegistryStatus.Inactive), ("$s", shardId), ("$v", versionId));
            if (next.Canonical != canonical)
            {
                if (next.Canonical is null) Execute("DELETE FROM canonical_heads WHERE shard_id = $s;", ("$s", shardId));
                else SetCanonical(shardId, next.Canonical);
            }
            AppendAudit(at, shardId, next.Audit[^1]);
            return (entry with { Status = RegistryStatus.Inactive }, reinstated);
        });
    }

    /// <summary>Appends an "override" audit record (an explicit, signed reference to an invalidated version).</summary>
    public void RecordOverride(string shardId, string versionId, string detailJson, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrEmpty(shardId);
        ArgumentException.ThrowIfNullOrEmpty(versionId);
        CheckJson(detailJson, nameof(detailJson));
        InTransaction(write: true, () => { AppendAudit(at, AuditAction.Override, shardId, versionId, detailJson); return 0; });
    }

    /// <summary>The audit log (of one shard, or all), in append order.</summary>
    public IReadOnlyList<AuditRecord> Audit(string? shardId = null) => InTransaction(write: false, () =>
    {
        var list = new List<AuditRecord>();
        using var cmd = shardId is null
            ? Command("SELECT seq, at, action, shard_id, version_id, detail FROM audit ORDER BY seq;")
            : Command("SELECT seq, at, action, shard_id, version_id, detail FROM audit WHERE shard_id = $s ORDER BY seq;", ("$s", shardId));
        using var r = cmd.ExecuteReader();
        while (r.Read())
            list.Add(new AuditRecord(r.GetInt64(0), ParseTime(r.GetString(1)), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5)));
        return list;
    });

    // ---------------------------------------------------------------- sessions (resumable uploads)

    /// <summary>Records an upload session. Idempotent for the same token, shard and header; a different shard or header
    /// under an existing token is a <see cref="RegistryConflictException"/>.</summary>
    public void OpenSession(string token, string shardId, string headerJson, DateTimeOffset createdAt)
    {
        CheckToken(token);
        ArgumentException.ThrowIfNullOrEmpty(shardId);
        CheckJson(headerJson, nameof(headerJson));
        InTransaction(write: true, () =>
        {
            if (RegistrySessions.OpenRefusal(token, SessionRow(token), shardId, headerJson) is { } refused) throw new RegistryConflictException(refused);
            Execute("INSERT INTO sessions (token, shard_id, header_json, created_at, state) VALUES ($k, $s, $h, $t, $state) ON CONFLICT (token) DO NOTHING;",
                ("$k", token), ("$s", shardId), ("$h", headerJson), ("$t", Time(createdAt)), ("$state", SessionStatus.Open));
            return 0;
        });
    }

    public SessionRecord? Session(string token)
    {
        CheckToken(token);
        return InTransaction(write: false, () =>
        {
            string shardId, header, state;
            DateTimeOffset created;
            using (var cmd = Command("SELECT shard_id, header_json, created_at, state FROM sessions WHERE token = $k;", ("$k", token)))
            using (var r = cmd.ExecuteReader())
            {
                if (!r.Read()) return null;
                (shardId, header, created, state) = (r.GetString(0), r.GetString(1), ParseTime(r.GetString(2)), r.GetString(3));
            }
            var received = new SortedDictionary<int, byte[]>();
            using (var cmd = Command("SELECT idx, leaf_hash FROM session_chunks WHERE token = $k ORDER BY idx;", ("$k", token)))
            using (var r = cmd.ExecuteReader())
                while (r.Read()) received[r.GetInt32(0)] = (byte[])r.GetValue(1);
            // Receipts of this process not yet durable count for the live session (a later one replaces an earlier).
            if (_staged.TryGetValue(token, out var staged))
                foreach (var (i, leaf) in staged.Pending) received[i] = leaf;
            return new SessionRecord(token, shardId, header, created, state, received);
        });
    }

    /// <summary>Where the payload of session <paramref name="token"/> is assembled: staging/&lt;token&gt;.part.</summary>
    public string StagingPath(string token)
    {
        CheckToken(token);
        return Path.Combine(_staging, token + ".part");
    }

    /// <summary>
    /// Writes <paramref name="data"/> at <paramref name="offset"/> of the session's staging file (created or extended; kept
    /// open while the session stages here) and records chunk <paramref name="index"/> as received with its leaf hash
    /// (replacing any earlier record). The record is durable once its batch is (<see cref="ReceiptBatch"/>): until then
    /// <see cref="Session"/> reports it, a crash loses it. Throws <see cref="RegistryConflictException"/> if the session is
    /// unknown or already committed.
    /// </summary>
    public void StoreChunk(string token, int index, long offset, ReadOnlySpan<byte> data, byte[] leafHash)
    {
        CheckToken(token);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentNullException.ThrowIfNull(leafHash);
        if (leafHash.Length != 32) throw new ArgumentException("a leaf hash is 32 bytes", nameof(leafHash));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var staged = Staged(token);
            staged.Write(index, offset, data, leafHash);
            if (staged.Due(_batch)) RecordPending(token, staged);
        }
    }

    /// <summary>Makes the session's pending receipts durable and closes its staging file (the connection carrying the
    /// upload ended; a resume opens it again). Nothing to do for a session not staging here.</summary>
    public void FlushSession(string token)
    {
        CheckToken(token);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_staged.Remove(token, out var staged)) return;
            using (staged) RecordPending(token, staged);
        }
    }

    /// <summary>True once the session has committed (a session token is single-use).</summary>
    public bool TokenUsed(string token)
    {
        CheckToken(token);
        return InTransaction(write: false, () => SessionRow(token)?.Status == SessionStatus.Committed);
    }

    /// <summary>Reads a committed payload (a stream over blobs/&lt;shardHash&gt;; the caller disposes it).</summary>
    public Stream OpenBlob(string shardHash)
    {
        CheckHash(shardHash);
        return new FileStream(BlobPath(shardHash), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.SequentialScan);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            // A graceful stop keeps what arrived: every pending receipt becomes durable (a crash would lose them, harmlessly).
            try
            {
                foreach (var (token, staged) in _staged) RecordPending(token, staged);
            }
            finally
            {
                foreach (var staged in _staged.Values) staged.Dispose();
                _staged.Clear();
                _disposed = true;
                _db.Dispose();
            }
        }
    }

    // ---------------------------------------------------------------- internals (callers hold _gate)

    private const string EntryColumns = "registry_id, shard_id, version_id, previous_version_id, shard_hash, provenance, timestamp, status, size";

    private string BlobPath(string shardHash) => Path.Combine(_blobs, shardHash);

    /// <summary>The session's open staging file; opened (after checking the session may store) on its first chunk here.</summary>
    private StagedUpload Staged(string token)
    {
        if (_staged.TryGetValue(token, out var staged)) return staged;
        if (RegistrySessions.StoreRefusal(token, SessionRow(token)) is { } refused) throw new RegistryConflictException(refused);
        staged = new StagedUpload(File.OpenHandle(StagingPath(token), FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read));
        _staged.Add(token, staged);
        return staged;
    }

    /// <summary>One batch: fsync the staging file, then its pending receipts in one transaction (bytes before claims).</summary>
    private void RecordPending(string token, StagedUpload staged)
    {
        if (staged.Pending.Count == 0) return; // every write adds a receipt: nothing pending means nothing unsynced
        if (_powerSafe) staged.Sync();
        InTransaction(write: true, () =>
        {
            using var cmd = Command("INSERT OR REPLACE INTO session_chunks (token, idx, leaf_hash) VALUES ($k, $i, $h);",
                ("$k", token), ("$i", 0), ("$h", Array.Empty<byte>()));
            foreach (var (index, leaf) in staged.Pending)
            {
                cmd.Parameters["$i"].Value = index;
                cmd.Parameters["$h"].Value = leaf;
                cmd.ExecuteNonQuery();
            }
            return 0;
        });
        staged.Recorded();
    }

    /// <summary>Before a commit: the session's receipts durable, its staging file on disk and closed (it is about to move).
    /// A staging file left by an earlier process is fsynced too: its page-cache bytes may never have been.</summary>
    private void Settle(string token)
    {
        if (_staged.Remove(token, out var staged))
        {
            using (staged) RecordPending(token, staged);
        }
        else if (File.Exists(StagingPath(token)))
        {
            using var file = File.OpenHandle(StagingPath(token), FileMode.Open, FileAccess.Write, FileShare.Read);
            if (_powerSafe) RandomAccess.FlushToDisk(file);
        }
    }

    private void PlaceBlob(string token, string shardHash, long size)
    {
        var staged = StagingPath(token);
        var blob = BlobPath(shardHash);
        if (File.Exists(staged))
        {
            var length = new FileInfo(staged).Length;
            if (length != size) throw new InvalidOperationException($"the staged payload of session {token} is {length} bytes, not {size}");
            File.Move(staged, blob, overwrite: true); // a rename: atomic, and Settle fsynced the bytes before this transaction
        }
        else if (File.Exists(blob) && new FileInfo(blob).Length == size)
        {
            // Already in place: an earlier commit of this session moved it and died before its transaction committed,
            // or another entry holds the same content (blobs are content-addressed).
        }
        else if (size == 0)
        {
            using var empty = new FileStream(blob, FileMode.Create, FileAccess.Write);
            empty.Flush(flushToDisk: _powerSafe);
        }
        else throw new InvalidOperationException($"session {token} has no staged payload");
    }

    private T InTransaction<T>(bool write, Func<T> body)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // BEGIN IMMEDIATE for writes: the write lock is taken up front, so the checks and the writes see one state.
            using var tx = _db.BeginTransaction(deferred: !write);
            _tx = tx;
            try
            {
                var result = body();
                tx.Commit();
                return result;
            }
            finally
            {
                _tx = null; // disposing an uncommitted transaction rolls it back: an exception leaves nothing written
            }
        }
    }

    private SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = _tx;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    private void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(sql, parameters);
        cmd.ExecuteNonQuery();
    }

    private object? Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(sql, parameters);
        return cmd.ExecuteScalar();
    }

    private RegistryEntry? FindEntry(string shardId, string versionId)
    {
        using var cmd = Command($"SELECT {EntryColumns} FROM entries WHERE shard_id = $s AND version_id = $v;", ("$s", shardId), ("$v", versionId));
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadEntry(r) : null;
    }

    private static RegistryEntry ReadEntry(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4), r.GetString(5),
        ParseTime(r.GetString(6)), r.GetString(7), r.GetInt64(8));

    /// <summary>The shard as the model's registry rules read it: its entries and canonical version (the audit log is only appended to).</summary>
    private RegistryShard Rules(string shardId)
    {
        var versions = ImmutableList.CreateBuilder<RegistryVersion>();
        using (var cmd = Command($"SELECT {EntryColumns} FROM entries WHERE shard_id = $s ORDER BY seq;", ("$s", shardId)))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
            {
                var e = ReadEntry(r);
                versions.Add(new RegistryVersion(e.VersionId, e.Status, e.PreviousVersionId, e.RegistryId, e.ShardHash));
            }
        return new RegistryShard(shardId, CanonicalOf(shardId), versions.ToImmutable(), []);
    }

    private string? CanonicalOf(string shardId) => Scalar("SELECT version_id FROM canonical_heads WHERE shard_id = $s;", ("$s", shardId)) as string;

    private void SetCanonical(string shardId, string versionId) =>
        Execute("INSERT INTO canonical_heads (shard_id, version_id) VALUES ($s, $v) ON CONFLICT (shard_id) DO UPDATE SET version_id = excluded.version_id;",
            ("$s", shardId), ("$v", versionId));

    private SessionRow? SessionRow(string token)
    {
        using var cmd = Command("SELECT shard_id, header_json, state FROM sessions WHERE token = $k;", ("$k", token));
        using var r = cmd.ExecuteReader();
        return r.Read() ? new SessionRow(r.GetString(0), r.GetString(1), r.GetString(2)) : null;
    }

    private void AppendAudit(DateTimeOffset at, string shardId, AuditFact fact) => AppendAudit(at, fact.Action, shardId, fact.VersionId, fact.Detail);

    private void AppendAudit(DateTimeOffset at, string action, string shardId, string versionId, string detail) =>
        Execute("INSERT INTO audit (at, action, shard_id, version_id, detail) VALUES ($t, $a, $s, $v, $d);",
            ("$t", Time(at)), ("$a", action), ("$s", shardId), ("$v", versionId), ("$d", detail));

    // Round-trip ("O") text keeps every tick and the offset; DateTimeOffset equality compares the instant.
    private static string Time(DateTimeOffset t) => t.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string s) => DateTimeOffset.ParseExact(s, "O", CultureInfo.InvariantCulture, DateTimeStyles.None);

    // Tokens and hashes become file names: only characters that cannot escape the folder.
    private static void CheckToken(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (!TokenPattern().IsMatch(token)) throw new ArgumentException($"session token '{token}' is not 1-200 characters of [A-Za-z0-9._-] (not starting with '.')", nameof(token));
    }

    private static void CheckHash(string shardHash)
    {
        ArgumentNullException.ThrowIfNull(shardHash);
        if (!HashPattern().IsMatch(shardHash)) throw new ArgumentException($"shard hash '{shardHash}' is not 12-128 lowercase hex digits", nameof(shardHash));
    }

    private static void CheckJson(string json, string name)
    {
        ArgumentNullException.ThrowIfNull(json, name);
        try { using var _ = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new ArgumentException($"{name} is not JSON: {e.Message}", name, e); }
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}\z")]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"^[0-9a-f]{12,128}\z")]
    private static partial Regex HashPattern();
}
