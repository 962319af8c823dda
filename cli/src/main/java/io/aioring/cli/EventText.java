package io.aioring.cli;

import java.util.Locale;

import io.aioring.abi.EventView;
import io.aioring.abi.Opcode;
import io.aioring.abi.layout.AttributeRecordDescriptor;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.abi.layout.EventFormatException;
import io.aioring.attributes.PageCacheAttribute;
import io.aioring.attributes.PathAttribute;
import io.aioring.attributes.TimingAttribute;
import io.aioring.linux.Errno;

import org.agrona.DirectBuffer;

/**
 * One event as a person reads it: its sequence, user data, opcode, result (an errno by name), flags and each
 * attribute record (the built-in ones decoded; others by id, status and length). For {@code inspect}.
 */
final class EventText {
    private final EventView view = new EventView();

    /** @return the event at {@code index} ({@code length} bytes) in words, or why it is no event */
    String describe(final DirectBuffer buffer, final int index, final int length) {
        try {
            view.wrap(buffer, index, length);
        } catch (final EventFormatException e) {
            return "malformed event: " + e.getMessage();
        }
        final StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "seq %s user_data %d %s result %s", Long.toUnsignedString(view.sequence()),
            view.userData(), Opcode.name(view.opcode()), result(view.result())));
        if ((view.flags() & EventDescriptor.FLAG_MORE) != 0) {
            s.append(" MORE");
        }
        if ((view.flags() & EventDescriptor.FLAG_OVERFLOWED) != 0) {
            s.append(" OVERFLOWED");
        }
        for (int at = view.firstAttribute(), i = 0; i < view.attributeCount(); i++, at = view.nextAttribute(at)) {
            s.append(" [").append(attribute(at)).append(']');
        }
        return s.toString();
    }

    /** The event at {@code index} as a JSON object (or {"malformed": why}). */
    void json(final com.fasterxml.jackson.core.JsonGenerator j, final DirectBuffer buffer, final int index, final int length)
        throws java.io.IOException {
        j.writeStartObject();
        try {
            view.wrap(buffer, index, length);
        } catch (final EventFormatException e) {
            j.writeStringField("malformed", e.getMessage());
            j.writeEndObject();
            return;
        }
        j.writeStringField("sequence", Long.toUnsignedString(view.sequence()));
        j.writeNumberField("user_data", view.userData());
        j.writeStringField("opcode", Opcode.name(view.opcode()));
        j.writeNumberField("result", view.result());
        if (view.result() < 0 && view.result() >= -4095) {
            j.writeStringField("error", Errno.name((int) -view.result()));
        }
        j.writeBooleanField("more", (view.flags() & EventDescriptor.FLAG_MORE) != 0);
        j.writeBooleanField("overflowed", (view.flags() & EventDescriptor.FLAG_OVERFLOWED) != 0);
        j.writeArrayFieldStart("attributes");
        for (int at = view.firstAttribute(), i = 0; i < view.attributeCount(); i++, at = view.nextAttribute(at)) {
            j.writeStartObject();
            j.writeNumberField("id", view.attributeId(at));
            j.writeStringField("status", AttributeRecordDescriptor.statusName(view.attributeStatus(at)));
            j.writeStringField("text", attribute(at));
            j.writeEndObject();
        }
        j.writeEndArray();
        j.writeEndObject();
    }

    private static String result(final long result) {
        return result < 0 && result >= -4095 ? result + " " + Errno.name((int) -result) : Long.toString(result);
    }

    private String attribute(final int at) {
        final int id = view.attributeId(at);
        final int status = view.attributeStatus(at);
        if (status != AttributeRecordDescriptor.STATUS_HANDLED) {
            return "attribute " + id + " " + AttributeRecordDescriptor.statusName(status);
        }
        return switch (id) {
            case TimingAttribute.ID -> TimingAttribute.isPresent(view)
                ? String.format(Locale.ROOT, "timing: queue %s, service %s", Sizes.nanosText(TimingAttribute.queueNanos(view)),
                    Sizes.nanosText(TimingAttribute.serviceNanos(view)))
                : "timing: unreadable";
            case PageCacheAttribute.ID -> "page-cache: " + PageCacheAttribute.outcomeName(PageCacheAttribute.outcome(view));
            case PathAttribute.ID -> "path: " + PathAttribute.pathName(PathAttribute.path(view))
                + (PathAttribute.cpu(view) >= 0 ? ", cpu " + PathAttribute.cpu(view) : "");
            default -> "attribute " + id + " v" + view.attributeVersion(at) + ", " + view.attributePayloadLength(at) + " bytes";
        };
    }
}
