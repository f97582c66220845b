package io.archway.client.directory;

import io.archway.client.ArchwayClientException;
import io.archway.client.ConcurrentEditException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Hashing, and atomic writes that refuse to overwrite a file changed since it was read. */
final class AtomicFiles {

    private AtomicFiles() {}

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Throws {@link ConcurrentEditException} unless {@code file} still hashes to {@code expectedHash}. */
    static void checkUnchanged(Path file, String expectedHash) {
        byte[] now;
        try {
            now = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConcurrentEditException(file + " was removed since it was read; nothing written");
        } catch (IOException e) {
            throw new ArchwayClientException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (!sha256(now).equals(expectedHash)) {
            throw new ConcurrentEditException(file + " was changed by someone else since it was read; nothing written");
        }
    }

    /**
     * Replaces {@code file} with {@code content} if it still hashes to {@code expectedHash}
     * (null: the file must not exist): temp file in the same directory, fsync, atomic rename.
     */
    static void write(Path file, String expectedHash, String content) {
        if (expectedHash == null) {
            if (Files.exists(file)) {
                throw new ConcurrentEditException(file + " appeared since the directory was read; nothing written");
            }
            replace(file, null, content);
            return;
        }
        locked(file, () -> {
            checkUnchanged(file, expectedHash);
            replace(file, expectedHash, content);
        });
    }

    /**
     * Runs {@code action} holding this JVM's write lock and an exclusive advisory lock on the file's
     * current inode, so that two cooperating writers cannot both pass the unchanged-check before
     * either renames. A writer that waited on the old inode then sees the new content and refuses.
     */
    private static void locked(Path file, Runnable action) {
        synchronized (AtomicFiles.class) {
            FileChannel ch = null;
            FileLock lock = null;
            try {
                ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                lock = ch.lock();
            } catch (NoSuchFileException e) {
                throw new ConcurrentEditException(file + " was removed since it was read; nothing written");
            } catch (IOException | UnsupportedOperationException e) {
                // No lock available (e.g. a read-only or network file system): rely on the unlocked check.
            }
            try {
                action.run();
            } finally {
                closeQuietly(lock, ch);
            }
        }
    }

    private static void closeQuietly(AutoCloseable... all) {
        for (AutoCloseable c : all) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // the file was replaced or deleted; nothing to release beyond the descriptor
                }
            }
        }
    }

    private static void replace(Path file, String expectedHash, String content) {
        Path dir = file.toAbsolutePath().getParent();
        Path temp = null;
        try {
            temp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            if (expectedHash == null) {
                // A new file: a hard link never replaces an existing name, so a file created meanwhile survives.
                try {
                    Files.createLink(file, temp);
                    return;
                } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
                    if (e instanceof FileAlreadyExistsException exists) {
                        throw exists;
                    }
                    if (Files.exists(file)) {
                        throw new FileAlreadyExistsException(file.toString());
                    }
                }
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
        } catch (FileAlreadyExistsException e) {
            throw new ConcurrentEditException(file + " appeared since the directory was read; nothing written", e);
        } catch (IOException e) {
            throw new ArchwayClientException("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    /** Deletes {@code file} if it still hashes to {@code expectedHash}. */
    static void delete(Path file, String expectedHash) {
        locked(file, () -> {
            checkUnchanged(file, expectedHash);
            try {
                Files.delete(file);
            } catch (IOException e) {
                throw new ArchwayClientException("cannot delete " + file + ": " + e.getMessage(), e);
            }
        });
    }
}
