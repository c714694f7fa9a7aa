package dev.evomerge.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;

/**
 * A JSON file's read error in one line: Jackson's problem and its line and column, without the source
 * description its messages otherwise carry ({@code [Source: REDACTED (...) ...]}).
 *
 * {@snippet :
 * throw new CheckpointException(file, "invalid JSON: " + JsonErrors.describe(e), e);
 * // config.json: invalid JSON: Unexpected character ('}' (code 125)) ... (line 3, column 1)
 * }
 */
public final class JsonErrors {

    private JsonErrors() {
    }

    public static String describe(IOException e) {
        if (e instanceof JsonProcessingException j) {
            var loc = j.getLocation();
            String at = loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
            return firstLine(j.getOriginalMessage()) + at;
        }
        return firstLine(e.getMessage());
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("").strip();
    }
}
