package dev.evomerge.eval.harness;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One document of an lm-evaluation-harness task, rendered: the prompt (few-shot examples included) and what
 * is scored after it.
 *
 * @param split         the data split it came from ({@code test}, {@code validation}, {@code train}, ...)
 * @param index         its 0-based position in that split
 * @param context       the prompt; empty for {@code loglikelihood_rolling}
 * @param continuations what is scored after the context: each choice with the target delimiter before it
 *                      (multiple choice), the target ({@code loglikelihood}), the whole text (rolling); empty
 *                      for generation
 * @param choices       the choices as {@code doc_to_choice} gives them (their lengths normalise {@code acc_norm})
 * @param gold          the right choices' indices (multiple choice; -100 where lm-evaluation-harness finds none)
 * @param targets       the references a generated answer is matched against (several for multi-target docs)
 */
public record HarnessDoc(String split, int index, Path file, int line, String context, List<String> continuations,
                         List<String> choices, List<Integer> gold, List<String> targets) {

    public HarnessDoc {
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(context, "context");
        continuations = List.copyOf(continuations);
        choices = List.copyOf(choices);
        gold = List.copyOf(gold);
        targets = List.copyOf(targets);
    }
}
