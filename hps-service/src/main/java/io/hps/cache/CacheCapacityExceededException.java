package io.hps.cache;

/** A new key was inserted into a {@link CacheMode#STATIC static} cache that is already full. */
public final class CacheCapacityExceededException extends IllegalStateException {
    CacheCapacityExceededException(long capacityRows, long key) {
        super("static cache full: capacityRows=" + capacityRows + " key=" + key);
    }
}
