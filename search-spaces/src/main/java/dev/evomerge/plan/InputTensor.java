package dev.evomerge.plan;

/** One tensor read by a merge task: which model, and the tensor's name in that model. */
public record InputTensor(String model, String tensorName) {
}
