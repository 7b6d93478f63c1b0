package io.ensm.core.alloc;

import java.util.HashMap;
import java.util.Map;

/**
 * A sparse bitmap over non-negative long indices: which slots of a pool are taken. Memory follows
 * the taken slots (1024-slot chunks created on first use, dropped when empty), so a pool of 2^63
 * IPv6 pairs or 2^24 VNIs costs nothing until used. Full chunks are skipped in one step, so finding
 * a free slot stays cheap when the low part of a pool is densely used. Not thread-safe.
 */
final class SlotSet {
    private static final int CHUNK_SHIFT = 10;
    private static final int CHUNK_SLOTS = 1 << CHUNK_SHIFT;
    private static final int WORDS = CHUNK_SLOTS / 64;

    private static final class Chunk {
        final long[] words = new long[WORDS];
        int count;
    }

    private final Map<Long, Chunk> chunks = new HashMap<>();
    private long count;

    boolean contains(long slot) {
        Chunk c = chunks.get(slot >>> CHUNK_SHIFT);
        return c != null && (c.words[word(slot)] & bit(slot)) != 0;
    }

    /** Marks the slot taken; false when it already was. */
    boolean add(long slot) {
        Chunk c = chunks.computeIfAbsent(slot >>> CHUNK_SHIFT, k -> new Chunk());
        int w = word(slot);
        if ((c.words[w] & bit(slot)) != 0) {
            return false;
        }
        c.words[w] |= bit(slot);
        c.count++;
        count++;
        return true;
    }

    /** Marks the slot free; false when it already was. */
    boolean remove(long slot) {
        long key = slot >>> CHUNK_SHIFT;
        Chunk c = chunks.get(key);
        if (c == null || (c.words[word(slot)] & bit(slot)) == 0) {
            return false;
        }
        c.words[word(slot)] &= ~bit(slot);
        count--;
        if (--c.count == 0) {
            chunks.remove(key);
        }
        return true;
    }

    long size() {
        return count;
    }

    /** The lowest free slot in [from, limit), or -1. */
    long nextFree(long from, long limit) {
        long i = from;
        while (i >= 0 && i < limit) {
            Chunk c = chunks.get(i >>> CHUNK_SHIFT);
            if (c == null) {
                return i;
            }
            long chunkBase = i & ~(CHUNK_SLOTS - 1L);
            if (c.count < CHUNK_SLOTS) {
                int w = word(i);
                long free = ~c.words[w] & (-1L << (i & 63));
                while (free == 0 && ++w < WORDS) {
                    free = ~c.words[w];
                }
                if (free != 0) {
                    long found = chunkBase + 64L * w + Long.numberOfTrailingZeros(free);
                    return found < limit ? found : -1;
                }
            }
            i = chunkBase + CHUNK_SLOTS; // turns negative past Long.MAX_VALUE, which ends the loop
        }
        return -1;
    }

    private static int word(long slot) {
        return (int) ((slot >>> 6) & (WORDS - 1));
    }

    private static long bit(long slot) {
        return 1L << (slot & 63);
    }
}
