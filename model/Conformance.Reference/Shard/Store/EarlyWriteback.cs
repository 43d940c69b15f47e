// Starts the kernel writing a staged range to disk now, without waiting (Linux sync_file_range with
// SYNC_FILE_RANGE_WRITE): the batch's fsync then finds most bytes already on their way, so disk time overlaps the
// edge's CPU work instead of stalling it. Only a hint: durability still comes from the fsync (StagedUpload.Sync).
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Conformance.Reference.Shard.Store;

internal static partial class EarlyWriteback
{
    private const uint SyncFileRangeWrite = 2;
    private static bool _unavailable = !OperatingSystem.IsLinux();

    public static void Start(SafeFileHandle file, long offset, long length)
    {
        if (_unavailable) return;
        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            if (sync_file_range((int)file.DangerousGetHandle(), offset, length, SyncFileRangeWrite) != 0) _unavailable = true; // e.g. a file system without it
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { _unavailable = true; }
        finally { if (added) file.DangerousRelease(); }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int sync_file_range(int fd, long offset, long nbytes, uint flags);
}
