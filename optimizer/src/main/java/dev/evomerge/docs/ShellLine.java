package dev.evomerge.docs;

import java.util.ArrayList;
import java.util.List;

/**
 * A shell command line cut into simple commands ({@code a && b | c ; d} gives three or four) and each into
 * words, with quotes and backslashes taken as a POSIX shell takes them. Enough of a shell to read commands
 * shown in documentation; nothing is expanded.
 */
final class ShellLine {

    private ShellLine() {
    }

    /** The simple commands of {@code line}, each a list of words; a comment ({@code # ...}) ends the line. */
    static List<List<String>> commands(String line) {
        List<List<String>> commands = new ArrayList<>();
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'' ) {
                int end = line.indexOf('\'', i + 1);
                end = end < 0 ? line.length() : end;
                word.append(line, i + 1, end);
                inWord = true;
                i = end;
            } else if (c == '"') {
                int j = i + 1;
                while (j < line.length() && line.charAt(j) != '"') {
                    if (line.charAt(j) == '\\' && j + 1 < line.length()) {
                        j++;
                    }
                    word.append(line.charAt(j));
                    j++;
                }
                inWord = true;
                i = j;
            } else if (c == '\\' && i + 1 < line.length()) {
                word.append(line.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                inWord = flush(words, word, inWord);
            } else if (c == '#' && !inWord) {
                break;
            } else if (c == ';' || c == '|' || c == '&' || c == '(' || c == ')') {
                inWord = flush(words, word, inWord);
                if (c == '&' && !words.isEmpty() && words.getLast().matches("\\d*>")) {
                    // 2>&1: a redirection, not a list operator.
                    words.set(words.size() - 1, words.getLast() + "&");
                    continue;
                }
                if (!words.isEmpty()) {
                    commands.add(words);
                    words = new ArrayList<>();
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        flush(words, word, inWord);
        if (!words.isEmpty()) {
            commands.add(words);
        }
        return commands;
    }

    private static boolean flush(List<String> words, StringBuilder word, boolean inWord) {
        if (inWord) {
            words.add(word.toString());
            word.setLength(0);
        }
        return false;
    }
}
