/** Where in the document a problem is: keys and list indexes from the top. */
export type PathSegment = string | number;

/** An issue before line numbers are attached; `atKey` points it at the key rather than the value. */
export interface RawIssue {
  path: PathSegment[];
  message: string;
  atKey?: boolean;
}
