// Face engine worker thread (tfjs + face-api); implemented by the face engine work (issue 2).
export {};
