package io.ensm.core.store;

/** The store could not read or write (disk full, corrupt file, closed). */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
