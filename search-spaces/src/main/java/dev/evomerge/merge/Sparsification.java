package dev.evomerge.merge;

/**
 * How the generalized task-arithmetic method thins each task vector before combining, as mergekit names it.
 * <ul>
 * <li>{@code NONE}: keep everything (task_arithmetic)</li>
 * <li>{@code MAGNITUDE}: keep the {@code k = floor(density * n)} largest |delta| (ties)</li>
 * <li>{@code RANDOM}: keep each element with probability {@code density} (DARE)</li>
 * <li>{@code MAGNITUDE_OUTLIERS}: drop the {@code floor(gamma * n)} largest, then keep the next
 *     {@code floor(density * n)} (breadcrumbs); as in mergekit, nothing when {@code floor(gamma * n)} is 0</li>
 * <li>{@code DELLA_MAGPRUNE}: keep with probability {@code density - epsilon .. density + epsilon}, rising
 *     linearly with the magnitude's rank within each row (DELLA)</li>
 * </ul>
 *
 * {@snippet :
 * Sparsification s = Sparsification.RANDOM;   // dare_ties, dare_linear
 * }
 */
public enum Sparsification {
    NONE,
    MAGNITUDE,
    RANDOM,
    MAGNITUDE_OUTLIERS,
    DELLA_MAGPRUNE
}
