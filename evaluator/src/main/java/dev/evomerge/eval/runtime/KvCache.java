package dev.evomerge.eval.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;

/**
 * Keys and values of every step of a decoder stack for the tokens seen so far, in their own manager so
 * they outlive each step's scope and die with the generation. Keys are stored after rotary embedding.
 */
final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    /** Per batch row, whether each cached position is a real token (right padding leaves holes). */
    private boolean[][] valid;

    KvCache(NDManager parent, int steps, int batch) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[steps];
        this.values = new NDArray[steps];
        this.valid = new boolean[batch][0];
    }

    int length() {
        return valid[0].length;
    }

    boolean[][] valid() {
        return valid;
    }

    NDArray keys(int step) {
        return keys[step];
    }

    NDArray values(int step) {
        return values[step];
    }

    /** Takes ownership of the full (past + new) key and value arrays of {@code step}. */
    void put(int step, NDArray k, NDArray v) {
        NDScope.unregister(k, v);
        k.attach(manager);
        v.attach(manager);
        if (keys[step] != null) {
            keys[step].close();
            values[step].close();
        }
        keys[step] = k;
        values[step] = v;
    }

    void appendValid(boolean[][] added) {
        boolean[][] next = new boolean[valid.length][];
        for (int b = 0; b < valid.length; b++) {
            next[b] = new boolean[valid[b].length + added[b].length];
            System.arraycopy(valid[b], 0, next[b], 0, valid[b].length);
            System.arraycopy(added[b], 0, next[b], valid[b].length, added[b].length);
        }
        valid = next;
    }

    @Override
    public void close() {
        manager.close();
    }
}
