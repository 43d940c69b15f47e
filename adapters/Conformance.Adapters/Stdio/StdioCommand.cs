// "stdio:COMMAND ARGS" → the program and its arguments, split the way a POSIX shell splits words (no expansion):
// '…' keeps everything literally, "…" keeps spaces and honours \" and \\, a backslash outside quotes escapes one character.
using System.Text;

namespace Conformance.Adapters.Stdio;

public sealed record StdioCommand(string FileName, IReadOnlyList<string> Arguments)
{
    public const string Scheme = "stdio:";

    public override string ToString() => Scheme + string.Join(" ", new[] { FileName }.Concat(Arguments).Select(Quote));

    /// <summary>Parses a target; a FormatException says what is wrong (the CLI turns it into a usage error).</summary>
    public static StdioCommand Parse(string target)
    {
        if (!target.StartsWith(Scheme, StringComparison.Ordinal)) throw new FormatException($"a stdio target starts with \"{Scheme}\"");
        var words = Split(target[Scheme.Length..]);
        if (words.Count == 0) throw new FormatException("the stdio target names no command");
        return new(words[0], words.Skip(1).ToArray());
    }

    public static List<string> Split(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord) { words.Add(word.ToString()); word.Clear(); inWord = false; }
                continue;
            }
            inWord = true;
            if (c == '\'')
            {
                var end = text.IndexOf('\'', i + 1);
                if (end < 0) throw new FormatException("unterminated ' quote in the stdio target");
                word.Append(text, i + 1, end - i - 1);
                i = end;
            }
            else if (c == '"')
            {
                for (i++; ; i++)
                {
                    if (i >= text.Length) throw new FormatException("unterminated \" quote in the stdio target");
                    if (text[i] == '"') break;
                    if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\') i++;
                    word.Append(text[i]);
                }
            }
            else if (c == '\\' && i + 1 < text.Length) word.Append(text[++i]);
            else word.Append(c);
        }
        if (inWord) words.Add(word.ToString());
        return words;
    }

    private static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsLetterOrDigit(c) || "-_./=:,@%+".Contains(c)) ? word : "'" + word.Replace("'", "'\\''") + "'";
}
